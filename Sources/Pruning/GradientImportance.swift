import Datasets
import Models
import Tensors

/// Michel et al. (2019): a head matters by |∂L/∂ξ|, the gradient of the task loss with respect to a gate ξ on its
/// output, averaged over the examples; a feed-forward neuron by the same first-order estimate, which for a gate on
/// its activation is |Σᵢ Wᵢⱼ ∂L/∂Wᵢⱼ| over its output weights. The loss is the head's training loss against the
/// labels: cross-entropy, or squared error for a regressor.
public struct GradientImportance: ImportanceMeasure {
    public init() {}

    public var name: String { "gradient" }
    public var needsLabels: Bool { true }

    public func scores(of model: SequenceClassifier, on batcher: Batcher, onBatch: (Batch) -> Void)
        throws(ImportanceError) -> ImportanceScores
    {
        var sums = ImportanceSums(model)
        for batch in batcher.sequentialBatches {
            let loss: (Tensor) -> Tensor
            if let labels = batch.labels(as: ClassLabels.self) {
                // crossEntropy is the batch mean; the sum gives each example its own loss's gradient.
                loss = { $0.crossEntropy(targets: labels.classIndices) * Float(batch.batchSize) }
            } else if let targets = batch.labels(as: RegressionTargets.self) {
                loss = { logits in
                    let difference = logits.reshaped([batch.batchSize]) - Tensor(shape: [batch.batchSize], values: targets.values)
                    return (difference * difference).sum()
                }
            } else {
                throw .unlabelledData(measure: name)
            }
            let gradients = GateGradients.compute(model, batch: batch, loss: loss)
            sums.add(heads: gradients.heads.map(absolute), neurons: gradients.neurons.map(absolute),
                     examples: batch.batchSize)
            onBatch(batch)
        }
        return sums.mean
    }

    private func absolute(_ rows: [[Double]]) -> [[Double]] { rows.map { $0.map(abs) } }
}

extension ImportanceSums {
    /// Zeros for the current shape of `model`'s layers.
    init(_ model: SequenceClassifier) {
        let dimensions = (0..<model.config.layerCount).map(model.config.dimensions(ofLayer:))
        self.init(headCounts: dimensions.map(\.headCount), neuronCounts: dimensions.map(\.intermediateSize))
    }
}
