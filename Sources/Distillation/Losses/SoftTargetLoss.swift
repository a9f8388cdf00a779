import Tensors

/// Losses on softened output distributions (Hinton et al. 2015, "Distilling the Knowledge in a Neural Network").
public enum SoftTargetLoss {
    /// T² · KL(softmax(teacher/T) ‖ softmax(student/T)) per row of `[rows, classes]` logits, as a `[rows]` tensor.
    /// The T² factor keeps the soft-target gradients on the same scale as the hard-target ones when T changes.
    public static func kl(student: Tensor, teacher: Tensor, temperature t: Float) -> Tensor {
        student.softTargetKL(teacher: teacher, temperature: t)
    }

    /// The task-distillation loss: α · T² · KL(teacher ‖ student) (batch mean) + (1 − α) · CE(student, labels).
    /// DistilBERT's task stage uses T = 2, α = 0.5.
    public static func hinton(student: Tensor, teacher: Tensor, labels: [Int32], temperature: Float, alpha: Float)
        -> (loss: Tensor, soft: Tensor, hard: Tensor)
    {
        let soft = kl(student: student, teacher: teacher, temperature: temperature).mean()
        let hard = student.crossEntropy(targets: labels)
        return (soft * alpha + hard * (1 - alpha), soft, hard)
    }

    /// DistilBERT's L_ce restricted to the selected (masked) tokens: T² · KL summed over the vocabulary, averaged
    /// over the positions where `mask` is 1. Logits are `[batch, seq, vocab]`, `mask` is `[batch · seq]`.
    public static func maskedVocabulary(student: Tensor, teacher: Tensor, mask: [Int32], temperature: Float) -> Tensor {
        let rows = SelectedRows(mask)
        return kl(student: rows.select(student), teacher: rows.select(teacher), temperature: temperature).mean()
    }
}

/// The row indices of a `[batch · seq]` 0/1 mask, to pick the selected positions out of `[batch, seq, d]` tensors.
struct SelectedRows {
    let indices: [Int32]

    init(_ mask: [Int32]) {
        indices = mask.enumerated().compactMap { $0.element != 0 ? Int32($0.offset) : nil }
    }

    /// `[batch, seq, d]` → `[selected, d]`.
    func select(_ x: Tensor) -> Tensor {
        precondition(x.rowCount * 1 >= indices.count, "mask selects more rows than \(x.shape) has")
        return x.reshaped([-1, x.lastDimension]).gatherRows(indices)
    }
}
