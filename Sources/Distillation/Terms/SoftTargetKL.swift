import Tensors
import Training

/// Hinton's soft-target term: T² · KL(softmax(z_t/T) ‖ softmax(z_s/T)), a mean over rows (PyTorch's
/// `batchmean`), averaged over the head's outputs: the classifier's logits, or start and end for question
/// answering ((KL_start + KL_end) / 2, the SQuAD distillation of DistilBERT), or the vocabulary logits of the
/// real tokens (general distillation, whose mean is then over real tokens).
public struct SoftTargetKL: DistillationTerm {
    public let name: String
    /// T; DistilBERT's task stage uses 2.
    public let temperature: Float
    /// What the logits' rows are: the batch's rows, or its real tokens.
    public let normalizer: LossNormalizer

    public init(name: String = "kd", temperature: Float, averagedOver normalizer: LossNormalizer = .rows) {
        self.name = name
        self.temperature = temperature
        self.normalizer = normalizer
    }

    public func loss(_ pair: DistillationPair) throws -> Tensor {
        let parts = zip(pair.student.logits, pair.teacher.logits).map { student, teacher in
            SoftTargetLoss.kl(student: student.reshaped([-1, student.lastDimension]),
                              teacher: teacher.reshaped([-1, teacher.lastDimension]).detached(), temperature: temperature).mean()
        }
        return parts.dropFirst().reduce(parts[0], +) / Float(parts.count)
    }
}
