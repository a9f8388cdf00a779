import Datasets
import Tensors

/// What a training objective computes for one micro-batch: a weighted sum of terms, each a mean over what its
/// ``LossNormalizer`` counts (so that processes sharing a batch can weight their means exactly).
public struct TrainingLoss {
    /// One part of the loss.
    public struct Term {
        /// A mean over what `normalizer` counts in the batch, still attached to the graph.
        public var value: Tensor
        /// Its factor in the sum.
        public var weight: Float
        public var normalizer: LossNormalizer

        public init(_ value: Tensor, weight: Float = 1, averagedOver normalizer: LossNormalizer = .rows) {
            self.value = value
            self.weight = weight
            self.normalizer = normalizer
        }
    }

    /// In the order they are summed; never empty.
    public let terms: [Term]
    /// Extra numbers to log next to the loss (for distillation: the soft and hard parts), averaged over the
    /// micro-batches of a logging window. Keys must not be `step`, `epoch`, `split`, `loss`, `learning_rate`
    /// or `grad_norm`.
    public var logged: [String: Double]

    /// A loss of one term, a mean over what `normalizer` counts (the rows unless said otherwise).
    public init(_ loss: Tensor, averagedOver normalizer: LossNormalizer = .rows, logged: [String: Double] = [:]) {
        self.init(terms: [Term(loss, averagedOver: normalizer)], logged: logged)
    }

    /// The weighted sum of `terms` (at least one).
    public init(terms: [Term], logged: [String: Double] = [:]) {
        precondition(!terms.isEmpty, "a loss needs at least one term")
        self.terms = terms
        self.logged = logged
    }

    /// Σ weight · value: the scalar to minimise on this batch (the trainer back-propagates it, weighted by the
    /// share of each term's count when processes share the batch, and scaled by 1/accumulation).
    public var loss: Tensor { weightedSum { $0.weight } }

    /// Σ coefficient(term) · value.
    func weightedSum(_ coefficient: (Term) -> Float) -> Tensor {
        let parts = terms.map { term in
            let factor = coefficient(term)
            return factor == 1 ? term.value : term.value * factor
        }
        return parts.dropFirst().reduce(parts[0], +)
    }
}

/// The loss transformers' sequence-classification heads train with.
public enum SupervisedLoss {
    /// Cross-entropy of `[batch, classes]` logits against class labels (`single_label_classification`), or the
    /// mean squared error of `[batch, 1]` outputs against real-valued targets (`regression`), for the labels of
    /// `batch`: a mean over its labelled rows (0 when it has none).
    public static func of(logits: Tensor, batch: Batch) throws(TrainingError) -> Tensor {
        if let classes = batch.labels(as: ClassLabels.self) {
            return logits.crossEntropy(targets: classes.classIndices, ignoreIndex: ClassLabels.missing)
        }
        if let targets = batch.labels(as: RegressionTargets.self)?.values {
            let predictions = logits.reshaped([targets.count])
            let labelled = targets.count { !$0.isNaN }
            guard labelled < targets.count else {
                return predictions.meanSquaredError(Tensor(shape: [targets.count], values: targets))
            }
            // Unlabelled rows (NaN targets) are multiplied out of the squared error.
            let mask = Tensor(shape: [targets.count], values: targets.map { $0.isNaN ? 0 : 1 })
            let difference = (predictions - Tensor(shape: [targets.count], values: targets.map { $0.isNaN ? 0 : $0 })) * mask
            return (difference * difference).sum() / Float(max(labelled, 1))
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
