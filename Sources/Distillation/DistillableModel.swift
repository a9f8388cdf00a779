import Models
import NN
import Tensors

/// A model a distillation objective can compare: it gives its head's logits and, on request, the encoder's
/// hidden states and attention scores. Classifiers, question-answering and masked-language models conform, so
/// any of them can be a teacher or a student.
public protocol DistillableModel: Module {
    var config: ModelConfig { get }
    /// The encoder, for terms that look inside its layers.
    var encoder: TransformerEncoder { get }
    /// One forward pass keeping what `options` asks for.
    func distillationOutputs(_ input: EncoderInput, options: EncoderOutputOptions) -> ModelOutputs
}

/// What one forward pass of a ``DistillableModel`` gives a distillation objective.
public struct ModelOutputs {
    /// The head's outputs: `[logits]` (`[batch, labels]` or `[batch, seq, vocab]`), or `[start, end]` (`[batch, seq]`
    /// each) for question answering.
    public var logits: [Tensor]
    /// Hidden states and attention scores, as far as they were asked for (empty for cached teacher logits).
    public var encoder: EncoderOutput?

    public init(logits: [Tensor], encoder: EncoderOutput? = nil) {
        self.logits = logits
        self.encoder = encoder
    }
}

extension SequenceClassifier: DistillableModel {
    public func distillationOutputs(_ input: EncoderInput, options: EncoderOutputOptions) -> ModelOutputs {
        let (logits, encoder) = self(input, options: options)
        return ModelOutputs(logits: [logits], encoder: encoder)
    }
}

extension QuestionAnswering: DistillableModel {
    public func distillationOutputs(_ input: EncoderInput, options: EncoderOutputOptions) -> ModelOutputs {
        let (start, end, encoder) = self(input, options: options)
        return ModelOutputs(logits: [start, end], encoder: encoder)
    }
}

extension MaskedLanguageModel: DistillableModel {
    public func distillationOutputs(_ input: EncoderInput, options: EncoderOutputOptions) -> ModelOutputs {
        let (logits, encoder) = self(input, options: options)
        return ModelOutputs(logits: [logits], encoder: encoder)
    }
}
