import Datasets
import Evaluation
import Models
import Tensors

/// Importance without labels (TextPruner's self-supervised mode): the task loss is replaced by
/// KL(p ‖ q), p the unpruned reference model's class distribution and q the current model's.
///
/// While q is p (before anything is removed) the gradient of this KL is exactly zero, so its first-order
/// score says nothing. What grows first when a gate ξ moves from 1 is the second-order term:
/// KL ≈ ½ F δξ² with F = Σ_y p(y) (∂ log q(y)/∂ξ)², the Fisher information of the gate under the reference's
/// predictions. The score of a head or neuron for one example is √F, the root-mean-square over y ~ p of
/// |∂(−log q(y))/∂ξ|: the gradient measure's |∂L/∂ξ| with the label drawn from the reference instead of read from
/// the data. It takes one backward pass per class.
public struct KLImportance: ImportanceMeasure {
    /// The unpruned model whose predictions stand in for labels.
    public let reference: SequenceClassifier

    public init(reference: SequenceClassifier) {
        self.reference = reference
    }

    public var name: String { "kl" }
    public var needsLabels: Bool { false }

    public func scores(of model: SequenceClassifier, on batcher: Batcher, onBatch: (Batch) -> Void)
        throws(ImportanceError) -> ImportanceScores
    {
        let classes = model.config.labelCount
        guard classes > 1, reference.config.labelCount == classes else { throw .needsClassifier(measure: name) }
        reference.setTraining(false)
        var sums = ImportanceSums(model)
        for batch in batcher.sequentialBatches {
            let rows = batch.batchSize
            let reference = withoutGrad { self.reference(EncoderInput(batch)).logits.softmax() }.scalars
            var headSquares: [[[Double]]] = [], neuronSquares: [[[Double]]] = []
            for label in 0..<classes {
                // Σ_rows √p(y) · (−log q(y)): each row's gradient is √p(y) times that of −log q(y).
                var weights = [Float](repeating: 0, count: rows * classes)
                for row in 0..<rows { weights[row * classes + label] = -reference[row * classes + label].squareRoot() }
                let weightTensor = Tensor(shape: [rows, classes], values: weights)
                let gradients = GateGradients.compute(model, batch: batch) { ($0.logSoftmax() * weightTensor).sum() }
                headSquares = Self.addingSquares(gradients.heads, to: headSquares)
                neuronSquares = Self.addingSquares(gradients.neurons, to: neuronSquares)
            }
            sums.add(heads: headSquares.map { $0.map { $0.map { $0.squareRoot() } } },
                     neurons: neuronSquares.map { $0.map { $0.map { $0.squareRoot() } } }, examples: rows)
            onBatch(batch)
        }
        return sums.mean
    }

    /// `total` plus the element-wise squares of `gradients` (`total` empty on the first call).
    private static func addingSquares(_ gradients: [[[Double]]], to total: [[[Double]]]) -> [[[Double]]] {
        let squares = gradients.map { $0.map { $0.map { $0 * $0 } } }
        guard !total.isEmpty else { return squares }
        return zip(total, squares).map { layer in zip(layer.0, layer.1).map { zip($0, $1).map(+) } }
    }
}
