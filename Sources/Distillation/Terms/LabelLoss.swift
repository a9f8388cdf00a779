import Tensors
import Training

/// The hard-target term, on the batch's labels alone: CE(z_s, y) for classes, MSE(z_s, y) for a regressor
/// (``SupervisedLoss``).
public struct LabelLoss: DistillationTerm {
    public let name: String

    public init(name: String = "hard") { self.name = name }

    public func loss(_ pair: DistillationPair) throws -> Tensor {
        try SupervisedLoss.of(logits: pair.student.logits[0], batch: pair.batch)
    }
}
