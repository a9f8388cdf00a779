import Datasets
import Models
import Tensors

/// The control: every head and neuron scored at random, the same seed giving the same scores.
public struct RandomImportance: ImportanceMeasure {
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
    }

    public var name: String { "random" }
    public var needsLabels: Bool { false }

    public func scores(of model: SequenceClassifier, on batcher: Batcher, onBatch: (Batch) -> Void)
        throws(ImportanceError) -> ImportanceScores
    {
        let generator = RandomGenerator(seed: seed)
        let dimensions = (0..<model.config.layerCount).map(model.config.dimensions(ofLayer:))
        return ImportanceScores(
            heads: dimensions.map { (0..<$0.headCount).map { _ in Double(generator.uniform()) } },
            neurons: dimensions.map { (0..<$0.intermediateSize).map { _ in Double(generator.uniform()) } })
    }
}
