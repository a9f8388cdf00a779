import Datasets
import Tensors

/// What a training objective computes for one micro-batch.
public struct TrainingLoss {
    /// The scalar to minimise, still attached to the graph (`backward()` is called on it, scaled by
    /// 1/accumulation, by the trainer).
    public var loss: Tensor
    /// Extra numbers to log next to the loss (for distillation: the soft and hard parts), averaged over the
    /// micro-batches of a logging window. Keys must not be `step`, `epoch`, `split`, `loss`, `learning_rate`
    /// or `grad_norm`.
    public var logged: [String: Double]

    public init(_ loss: Tensor, logged: [String: Double] = [:]) {
        self.loss = loss
        self.logged = logged
    }
}

/// The loss transformers' sequence-classification heads train with.
public enum SupervisedLoss {
    /// Cross-entropy of `[batch, classes]` logits against class labels (`single_label_classification`), or the
    /// mean squared error of `[batch, 1]` outputs against real-valued targets (`regression`), for the labels of
    /// `batch`.
    public static func of(logits: Tensor, batch: Batch) throws(TrainingError) -> Tensor {
        if let classes = batch.labels(as: ClassLabels.self) {
            return logits.crossEntropy(targets: classes.classIndices)
        }
        if let targets = batch.labels(as: RegressionTargets.self)?.values {
            return logits.reshaped([targets.count]).meanSquaredError(Tensor(shape: [targets.count], values: targets))
        }
        throw .unlabelledBatch(exampleIndex: batch.exampleIndices.first ?? 0)
    }
}

extension SupervisedLoss {
    /// The loss of transformers' question-answering heads: (CE(start logits, s) + CE(end logits, e)) / 2 over
    /// `[batch, seq]` logits and each row's answer start s and end e.
    public static func span(start: Tensor, end: Tensor, labels: SpanLabels) -> Tensor {
        (start.crossEntropy(targets: labels.starts) + end.crossEntropy(targets: labels.ends)) / 2
    }
}
