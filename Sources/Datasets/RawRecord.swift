/// A label as written in the file, before it is mapped to a ``Label``.
enum RawLabel: Sendable, Equatable {
    /// Text from a TSV/CSV cell or a JSON string.
    case text(String)
    /// A JSON number.
    case number(Double)
}

/// One row's fields, picked out by column but not yet validated.
struct RawRecord: Sendable {
    var line: Int
    var text: String
    var textPair: String?
    var label: RawLabel?
}

/// One row of a file: its fields, or why its structure is malformed (which may be skipped).
enum RowOutcome: Sendable {
    case record(RawRecord)
    case malformed(DatasetError)
}

/// All rows of a file, in file order, with the columns they were read from.
struct ParsedRows: Sendable {
    var columns: ColumnNames
    var rows: [RowOutcome]
}
