import Datasets
import Models
import Tensors
import Training

/// A model that general distillation can train or learn from: an encoder, or a masked-language model whose
/// vocabulary logits are compared.
public protocol GeneralDistillationModel: DistillableModel, PretrainedModel {
    /// One forward pass on `batch`, keeping what `options` asks for.
    func generalDistillationOutputs(_ batch: Batch, options: EncoderOutputOptions) -> ModelOutputs
}

extension TransformerEncoder: DistillableModel, GeneralDistillationModel {
    public var encoder: TransformerEncoder { self }

    /// The encoder's outputs; no logits.
    public func distillationOutputs(_ input: EncoderInput, options: EncoderOutputOptions) -> ModelOutputs {
        ModelOutputs(logits: [], encoder: self(input, options: options))
    }

    public var logitShapes: [LogitShape] { [] }

    public func generalDistillationOutputs(_ batch: Batch, options: EncoderOutputOptions) -> ModelOutputs {
        distillationOutputs(EncoderInput(batch), options: options)
    }
}

extension MaskedLanguageModel: GeneralDistillationModel {
    /// The vocabulary logits of the real (unpadded) tokens only, `[real tokens, vocab]` in row-major order, and
    /// the encoder's outputs: the vocabulary projection, the costliest part of the model, spares the padding.
    public func generalDistillationOutputs(_ batch: Batch, options: EncoderOutputOptions) -> ModelOutputs {
        let output = encoder(EncoderInput(batch), options: options)
        return ModelOutputs(logits: [vocabularyLogits(SelectedRows(batch.attentionMask).select(output.lastHidden))], encoder: output)
    }
}

/// The per-batch loss of general distillation, to hand to the ``Trainer``: the student's forward pass, the
/// teacher's on the same (masked) input in evaluation mode without gradients, and the objective over both.
public final class GeneralDistiller {
    public let teacher: any GeneralDistillationModel
    public let student: any GeneralDistillationModel
    public let objective: DistillationObjective

    /// Checks that the two models share a vocabulary and that every term can compare them; puts the teacher in
    /// evaluation mode (dropout off) for good.
    public init(teacher: any GeneralDistillationModel, student: any GeneralDistillationModel, objective: DistillationObjective)
        throws(TaskDistillationError)
    {
        let (t, s) = (teacher.config, student.config)
        guard t.vocabSize == s.vocabSize else {
            throw .incompatible("the teacher's vocab_size is \(t.vocabSize) and the student's \(s.vocabSize): they must share a tokenizer")
        }
        try objective.checkPairing(student: s, teacher: t)
        self.teacher = teacher
        self.student = student
        self.objective = objective
        teacher.setTraining(false)
    }

    /// The loss on one training batch (the ``Trainer``'s `loss` closure).
    public func loss(_ batch: Batch) throws -> TrainingLoss {
        let options = objective.encoderOutputs
        let studentOutputs = student.generalDistillationOutputs(batch, options: options)
        let teacherOutputs = withoutGrad { teacher.generalDistillationOutputs(batch, options: options) }
        return try objective(DistillationPair(batch: batch, student: studentOutputs, teacher: teacherOutputs))
    }
}
