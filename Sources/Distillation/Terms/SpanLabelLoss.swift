import Tensors

/// The hard-target part of SQuAD distillation: (CE(start logits, start positions) + CE(end logits, end
/// positions)) / 2, logits `[batch, seq]`. Becomes a ``DistillationTerm`` once batches carry answer spans.
public enum SpanLabelLoss {
    public static func loss(start: Tensor, end: Tensor, startPositions: [Int32], endPositions: [Int32]) -> Tensor {
        (start.crossEntropy(targets: startPositions) + end.crossEntropy(targets: endPositions)) / 2
    }
}
