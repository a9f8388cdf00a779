/// The rows of a labelled text file, read by ``LabelledTextReader``.
public struct LabelledDataset: Sendable {
    /// The file the rows came from.
    public var path: String
    /// The rows, in file order (bad rows left out when skipping).
    public var examples: [TextExample]
    /// Classification or regression.
    public var task: TaskKind
    /// The class names labels were mapped through (given or built from the data); `nil` for regression and for
    /// unlabelled files without a given set.
    public var labelSet: LabelSet?
    /// The columns (or JSON keys) that were read.
    public var columns: ColumnNames
    /// The malformed rows that were skipped (none unless ``DatasetReadOptions/skipBadRows`` is set).
    public var skippedRows: SkippedRows

    /// Creates a dataset.
    public init(
        path: String, examples: [TextExample], task: TaskKind, labelSet: LabelSet?, columns: ColumnNames,
        skippedRows: SkippedRows
    ) {
        self.path = path
        self.examples = examples
        self.task = task
        self.labelSet = labelSet
        self.columns = columns
        self.skippedRows = skippedRows
    }
}
