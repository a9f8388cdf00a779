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
    /// The shape of each of the head's logit tensors, in ``ModelOutputs/logits`` order.
    var logitShapes: [LogitShape] { get }
}

/// How one of a head's logit tensors spans a batch: one row per example (`[batch] + row`, a classifier's classes)
/// or one per token position (`[batch, seq] + row`: question answering's start or end logits with `row` `[]`, a
/// masked-LM head's with `row` `[vocab]`).
public struct LogitShape: Sendable, Equatable, CustomStringConvertible {
    /// Whether there is a row per token position rather than per example.
    public var perToken: Bool
    /// The shape of one row.
    public var row: [Int]

    public static func perExample(_ row: [Int]) -> LogitShape { LogitShape(perToken: false, row: row) }
    public static func perToken(_ row: [Int]) -> LogitShape { LogitShape(perToken: true, row: row) }

    /// The number of values in one row.
    public var rowSize: Int { row.reduce(1, *) }

    public var description: String {
        "[" + (["batch"] + (perToken ? ["seq"] : []) + row.map(String.init)).joined(separator: ", ") + "]"
    }
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

    public var logitShapes: [LogitShape] { [.perExample([classifier.outputSize])] }
}

extension QuestionAnswering: DistillableModel {
    public func distillationOutputs(_ input: EncoderInput, options: EncoderOutputOptions) -> ModelOutputs {
        let (start, end, encoder) = self(input, options: options)
        return ModelOutputs(logits: [start, end], encoder: encoder)
    }

    public var logitShapes: [LogitShape] { [.perToken([]), .perToken([])] }
}

extension MaskedLanguageModel: DistillableModel {
    public func distillationOutputs(_ input: EncoderInput, options: EncoderOutputOptions) -> ModelOutputs {
        let (logits, encoder) = self(input, options: options)
        return ModelOutputs(logits: [logits], encoder: encoder)
    }

    public var logitShapes: [LogitShape] { [.perToken([config.vocabSize])] }
}
