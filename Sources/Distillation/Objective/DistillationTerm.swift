import Datasets
import Models
import NN
import Tensors
import Training

/// One part of a distillation objective: a loss between the student's and the teacher's outputs on a batch
/// (or between the student's outputs and the batch's labels). Each conforming type states its formula.
public protocol DistillationTerm {
    /// The key of its value in the training log (`kd`, `hard`, `cosine`, ...), unique within an objective.
    var name: String { get }
    /// What it needs from both encoders. Asking for any encoder output makes the teacher run at every step.
    var encoderOutputs: EncoderOutputOptions { get }
    /// What its value is a mean over (rows unless it says otherwise), so that processes sharing a batch weight
    /// their values exactly.
    var normalizer: LossNormalizer { get }
    /// Modules it owns and that train with the student (a learned projection), each under a name that is unique
    /// in the training checkpoint.
    var trainableModules: [(name: String, module: Module)] { get }
    /// Checks that it can compare these two models.
    func checkPairing(student: ModelConfig, teacher: ModelConfig) throws(TaskDistillationError)
    /// The term's value, attached to the student's graph (no gradient reaches the teacher).
    func loss(_ pair: DistillationPair) throws -> Tensor
}

extension DistillationTerm {
    public var encoderOutputs: EncoderOutputOptions { EncoderOutputOptions() }
    public var normalizer: LossNormalizer { .rows }
    public var trainableModules: [(name: String, module: Module)] { [] }
    public func checkPairing(student: ModelConfig, teacher: ModelConfig) throws(TaskDistillationError) {}
}

/// What the terms of an objective compare: one batch and both models' outputs on it.
public struct DistillationPair {
    /// Labels, attention mask and example indices.
    public let batch: Batch
    public let student: ModelOutputs
    /// Its logits, and its encoder outputs when a term asked for them.
    public let teacher: ModelOutputs

    public init(batch: Batch, student: ModelOutputs, teacher: ModelOutputs) {
        self.batch = batch
        self.student = student
        self.teacher = teacher
    }

    /// The student's and the teacher's encoder outputs (present whenever a term's ``DistillationTerm/encoderOutputs``
    /// asked for them).
    var encoders: (student: EncoderOutput, teacher: EncoderOutput) {
        guard let student = student.encoder, let teacher = teacher.encoder else {
            preconditionFailure("a term needs encoder outputs that its objective did not ask for")
        }
        return (student, teacher)
    }
}
