/// The labels of a batch, of one kind per type: a new kind of target (per-token tags, spans, sentence order,
/// ...) is a new conforming type that a ``Collator`` attaches and a loss reads with ``Batch/labels(as:)``.
public protocol BatchLabels: Sendable {
    /// Whether `other` holds labels of the same kind with the same values.
    func isEqual(to other: (any BatchLabels)?) -> Bool
}

extension BatchLabels where Self: Equatable {
    public func isEqual(to other: (any BatchLabels)?) -> Bool {
        (other as? Self) == self
    }
}

/// One class index per row, for classification; ``missing`` for a row without a label.
public struct ClassLabels: BatchLabels, Equatable {
    /// The index of a row without a label, which losses skip (PyTorch's cross-entropy `ignore_index`).
    public static let missing: Int32 = -100

    public var classIndices: [Int32]

    public init(_ classIndices: [Int32]) {
        self.classIndices = classIndices
    }
}

/// One real-valued target per row, for regression; NaN for a row without a label.
public struct RegressionTargets: BatchLabels, Equatable {
    public var values: [Float]

    public init(_ values: [Float]) {
        self.values = values
    }
}

/// One label per token position (`[batchSize, sequenceLength]` row-major), ``ignored`` where no loss is taken
/// (padding, and for masked language modelling every position that was not chosen).
public struct TokenLabels: BatchLabels, Equatable {
    /// The label of positions that do not count, as PyTorch's cross-entropy `ignore_index`.
    public static let ignored: Int32 = -100

    public var ids: [Int32]

    public init(_ ids: [Int32]) {
        self.ids = ids
    }
}

/// The start and end token positions (inclusive) of each row's answer span, for extractive question answering.
public struct SpanLabels: BatchLabels, Equatable {
    public var starts: [Int32]
    public var ends: [Int32]

    public init(starts: [Int32], ends: [Int32]) {
        precondition(starts.count == ends.count, "\(starts.count) span starts but \(ends.count) ends")
        self.starts = starts
        self.ends = ends
    }
}
