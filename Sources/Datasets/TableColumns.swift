/// The positions of the chosen columns in a TSV/CSV header, and the mapping of a row's fields to a record.
struct TableColumns {
    let columns: ColumnNames
    private let header: [String]
    private let textIndex: Int
    private let textPairIndex: Int?
    private let labelIndex: Int?
    private let path: String

    /// Resolves the columns among `header` (names are trimmed of surrounding whitespace).
    init(header rawHeader: [String], path: String, options: DatasetReadOptions) throws(DatasetError) {
        let header = rawHeader.map { $0.trimmingWhitespace() }
        let columns: ColumnNames
        do {
            columns = try ColumnNames.resolve(
                available: header, overrides: options.columns, labelsOptional: options.labelsOptional)
        } catch {
            throw DatasetError(path: path, line: options.headerlessColumnNames == nil ? 1 : nil, reason: error)
        }
        self.columns = columns
        self.header = header
        self.path = path
        // `resolve` only returns names present in the header, so these lookups succeed.
        self.textIndex = header.firstIndex(of: columns.text) ?? 0
        self.textPairIndex = columns.textPair.flatMap { header.firstIndex(of: $0) }
        self.labelIndex = columns.label.flatMap { header.firstIndex(of: $0) }
    }

    /// The record for a row of `fieldCount` fields, read through `field`; a malformed outcome if the row does
    /// not have one field per header column.
    func row(line: Int, fieldCount: Int, field: (Int) -> String) -> RowOutcome {
        guard fieldCount == header.count else {
            return .malformed(
                DatasetError(
                    path: path, line: line, reason: .wrongColumnCount(expected: header.count, found: fieldCount)))
        }
        return .record(
            RawRecord(
                line: line,
                text: field(textIndex),
                textPair: textPairIndex.map(field),
                label: labelIndex.map { .text(field($0)) }))
    }
}
