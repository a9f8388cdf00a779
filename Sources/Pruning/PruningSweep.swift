import Datasets
import Evaluation
import Models

/// One point of a sweep: a model with a fraction of its heads removed, scored on the evaluation data.
public struct SweepPoint: Sendable, Equatable, Codable {
    /// The importance measure's name.
    public var importance: String
    /// The fraction of the heads removed (of all heads in the model).
    public var headsRemoved: Double
    /// Heads left per layer.
    public var heads: [Int]
    /// The value of the evaluator's first metric.
    public var metric: Double
}

/// Accuracy against the fraction of heads removed, for several importance measures: each measure scores the
/// model once, then each fraction removes the least important heads of those scores (one step; the feed-forward
/// neurons stay) and the result is evaluated.
public enum PruningSweep {
    /// Points for every measure and every fraction in `headsRemoved` (each in [0, 1); a fraction is rounded to whole
    /// heads, every layer keeping at least one). `onBatch(measure, batch)` sees each scored batch, `onPoint` each
    /// point.
    public static func run(
        _ model: SequenceClassifier, measures: [any ImportanceMeasure], scoringData: Batcher,
        evaluator: ClassifierEvaluator, headsRemoved fractions: [Double], scope: PruningScope,
        onBatch: (String, Batch) -> Void = { _, _ in }, onPoint: (SweepPoint) -> Void = { _ in }
    ) throws -> [SweepPoint] {
        let dimensions = (0..<model.config.layerCount).map(model.config.dimensions(ofLayer:))
        let heads = dimensions.map(\.headCount)
        var points: [SweepPoint] = []
        for measure in measures {
            let scores = try measure.scores(of: model, on: scoringData) { onBatch(measure.name, $0) }.normalizingHeadsPerLayer
            for fraction in fractions {
                let settings = PruningSettings(headsKept: 1 - fraction, neuronsKept: 1, scope: scope)
                try settings.validate()
                let kept = StructuredPruning.keep(scores.heads, original: heads, fraction: 1 - fraction, step: 1, settings)
                let pruned = try model.pruned(to: zip(kept, dimensions).map {
                    LayerSelection(heads: $0, neurons: Array(0..<$1.intermediateSize))
                })
                let point = SweepPoint(
                    importance: measure.name,
                    headsRemoved: 1 - Double(kept.reduce(0) { $0 + $1.count }) / Double(heads.reduce(0, +)),
                    heads: kept.map(\.count), metric: try evaluator.evaluate(pruned).primaryValue)
                onPoint(point)
                points.append(point)
            }
        }
        return points
    }
}
