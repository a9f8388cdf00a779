import Datasets
import Models

/// What one pruning step left: each layer's head and neuron counts.
public struct PruningStepReport: Sendable, Equatable, Codable {
    /// 1-based.
    public var step: Int
    public var heads: [Int]
    public var neurons: [Int]

    public init(step: Int, heads: [Int], neurons: [Int]) {
        self.step = step
        self.heads = heads
        self.neurons = neurons
    }
}

/// Structured pruning: score the heads and feed-forward neurons, remove the least important (physically: the
/// model gets smaller), and repeat until the target of ``PruningSettings`` is reached.
public enum StructuredPruning {
    /// `model` pruned to `settings`: each of `settings.iterations` steps scores the current model with `measure`
    /// on `batcher`'s examples (head scores normalised per layer), then keeps the best heads and neurons for the
    /// step's target. `onBatch(step, batch)` sees each scored batch. The input model is left as it was.
    public static func run(
        _ model: SequenceClassifier, measure: any ImportanceMeasure, batcher: Batcher, settings: PruningSettings,
        onBatch: (Int, Batch) -> Void = { _, _ in }
    ) throws -> (model: SequenceClassifier, steps: [PruningStepReport]) {
        try settings.validate()
        let dimensions = (0..<model.config.layerCount).map(model.config.dimensions(ofLayer:))
        let (heads, neurons) = (dimensions.map(\.headCount), dimensions.map(\.intermediateSize))
        var current = model
        var reports: [PruningStepReport] = []
        for step in 1...settings.iterations {
            let scores = try measure.scores(of: current, on: batcher) { onBatch(step, $0) }.normalizingHeadsPerLayer
            let keptHeads = keep(scores.heads, original: heads, fraction: settings.headsKept, step: step, settings)
            let keptNeurons = keep(scores.neurons, original: neurons, fraction: settings.neuronsKept, step: step, settings)
            current = try current.pruned(to: zip(keptHeads, keptNeurons).map { LayerSelection(heads: $0, neurons: $1) })
            reports.append(PruningStepReport(step: step, heads: keptHeads.map(\.count), neurons: keptNeurons.map(\.count)))
        }
        return (current, reports)
    }

    static func keep(_ scores: [[Double]], original: [Int], fraction: Double, step: Int,
                             _ settings: PruningSettings) -> [[Int]] {
        switch settings.scope {
        case .global:
            KeptSelection.global(scores, keeping: KeptSelection.totalTarget(
                original: original, fraction: fraction, step: step, of: settings.iterations))
        case .perLayer:
            KeptSelection.perLayer(scores, keeping: KeptSelection.perLayerTargets(
                original: original, fraction: fraction, step: step, of: settings.iterations))
        }
    }
}
