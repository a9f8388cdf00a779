import Tensors

/// Mean squared error between student and teacher logits over all elements: mean (z_s − z_t)². The soft
/// target of a regressor, or an extra term beside the KL.
public struct LogitsMSE: DistillationTerm {
    public let name: String

    public init(name: String = "mse_logits") { self.name = name }

    public func loss(_ pair: DistillationPair) throws -> Tensor {
        pair.student.logits[0].meanSquaredError(pair.teacher.logits[0].detached())
    }
}
