import Datasets
import Models

/// A way of scoring the heads and feed-forward neurons of a classifier on data (see ``GradientImportance``,
/// ``KLImportance``, ``RandomImportance``). A new criterion is a new conforming type.
public protocol ImportanceMeasure {
    /// The name shown in reports (`gradient`, `kl`, `random`).
    var name: String { get }
    /// Whether the examples must carry labels.
    var needsLabels: Bool { get }
    /// Scores of every head and neuron of `model`, whatever its current (possibly pruned) shape, over the
    /// batches of `batcher`; `onBatch` sees each batch once it is scored (for progress).
    func scores(of model: SequenceClassifier, on batcher: Batcher, onBatch: (Batch) -> Void) throws(ImportanceError)
        -> ImportanceScores
}

/// Why importance scores cannot be computed on the data given.
public enum ImportanceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The measure needs labels and the data has none.
    case unlabelledData(measure: String)
    /// The measure compares class distributions and the model is a regressor.
    case needsClassifier(measure: String)

    public var description: String {
        switch self {
        case .unlabelledData(let measure):
            "\(measure) importance needs labelled examples, and the data has no labels (the kl and random measures need none)"
        case .needsClassifier(let measure): "\(measure) importance needs a classification head, not a regression head"
        }
    }
}

extension Batcher {
    /// Every batch in dataset order.
    var sequentialBatches: LazyMapSequence<ArraySlice<[Int]>, Batch> {
        batches(of: plan(order: .sequential, seed: 0, epoch: 0))
    }
}
