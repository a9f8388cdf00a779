import Tensors
import Training

/// The hard-target term, on the batch's labels alone: CE(z_s, y) for classes, MSE(z_s, y) for a regressor
/// (``SupervisedLoss``), a mean over the labelled rows; 0 on a batch without labels (augmented or transfer text,
/// which learns from the teacher alone).
public struct LabelLoss: DistillationTerm {
    public let name: String

    public init(name: String = "hard") { self.name = name }

    public var normalizer: LossNormalizer { .labelledRows }

    public func loss(_ pair: DistillationPair) throws -> Tensor {
        let logits = pair.student.logits[0]
        guard pair.batch.labels != nil else { return (logits * 0).sum() }
        return try SupervisedLoss.of(logits: logits, batch: pair.batch)
    }
}
