/// How ``LabelledTextReader`` reads a file.
public struct DatasetReadOptions: Sendable {
    /// The file layout, or `nil` to infer it from the file name's extension.
    public var format: DataFormat?
    /// Classification (labels are class names or indices) or regression (labels are real numbers).
    public var task: TaskKind
    /// The class names to map labels through (for example a model's `id2label`, or the set built from the
    /// training file); integer labels not among the names are class indices. `nil` builds the set from the data:
    /// the sorted names, or "0"..."largest index" when most labels are integers. A row whose label is of the other
    /// kind, or an integer at or above the larger of 1000 and the number of labelled rows, is then a bad row.
    /// Ignored for regression.
    public var labelSet: LabelSet?
    /// Columns named by the caller; the rest are detected from the header.
    public var columns: ColumnOverrides
    /// Names for the columns of a TSV/CSV file that has no header row (for example GLUE's CoLA files);
    /// `nil` means the first row is the header.
    public var headerlessColumnNames: [String]?
    /// Whether the file may lack labels (for prediction): a missing label column or an empty label cell then
    /// gives `label == nil` instead of an error.
    public var labelsOptional: Bool
    /// Skip malformed rows (wrong column count, empty text, bad label, bad JSON) and count them, instead of
    /// failing on the first one. Problems with the whole file (unreadable, not UTF-8, no header, unclosed
    /// quote) are always errors.
    public var skipBadRows: Bool

    /// Creates options; the defaults read a labelled classification file and fail on the first bad row.
    public init(
        format: DataFormat? = nil,
        task: TaskKind = .classification,
        labelSet: LabelSet? = nil,
        columns: ColumnOverrides = ColumnOverrides(),
        headerlessColumnNames: [String]? = nil,
        labelsOptional: Bool = false,
        skipBadRows: Bool = false
    ) {
        self.format = format
        self.task = task
        self.labelSet = labelSet
        self.columns = columns
        self.headerlessColumnNames = headerlessColumnNames
        self.labelsOptional = labelsOptional
        self.skipBadRows = skipBadRows
    }
}
