import Tensors

/// TinyBERT's prediction-layer term: the mean over rows of −Σ_c softmax(z_t/T)_c · log_softmax(z_s/T)_c, with no
/// T² factor (TinyBERT uses T = 1). Unlike ``SoftTargetKL`` it keeps the teacher's entropy in the value, which
/// does not change the gradient.
public struct SoftCrossEntropy: DistillationTerm {
    public let name: String
    public let temperature: Float

    public init(name: String = "soft_ce", temperature: Float = 1) {
        self.name = name
        self.temperature = temperature
    }

    public func loss(_ pair: DistillationPair) throws -> Tensor {
        Self.loss(student: pair.student.logits[0], teacher: pair.teacher.logits[0], temperature: temperature)
    }

    /// The term on `[rows, classes]` logits.
    public static func loss(student: Tensor, teacher: Tensor, temperature: Float) -> Tensor {
        let targets = withoutGrad { (teacher / temperature).softmax() }
        return ((student / temperature).logSoftmax() * targets).sum(axis: -1).mean() * -1
    }
}
