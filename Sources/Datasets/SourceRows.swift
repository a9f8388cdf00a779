import JSON

/// Every cell of every row of a labelled text file (TSV/CSV with a header row, or JSON lines) as written, keyed by
/// the 1-based line the row starts on, split as ``LabelledTextReader`` splits it: what a tool needs to rewrite a
/// file row by row and keep the columns the readers do not use. Rows are not validated; read the file with
/// ``LabelledTextReader`` for that.
public struct SourceRows: Sendable {
    /// One row as written.
    public enum Row: Sendable, Equatable {
        /// A TSV/CSV row's fields, in file order.
        case fields([String])
        /// A JSON lines row's members, in file order.
        case object([JSONValue.Member])
    }

    /// The file layout.
    public let format: DataFormat
    /// The header row's fields (TSV/CSV); empty for JSON lines.
    public let header: [String]
    /// The rows by the line they start on; rows that cannot be split (an unclosed CSV quote, a JSON line that is
    /// not an object) are left out.
    public let rows: [Int: Row]

    /// Reads the file at `path` in `format`.
    public init(path: String, format: DataFormat) throws(DatasetError) {
        let file = try UTF8Text(bytes: UTF8Text.read(path: path), path: path)
        self.format = format
        var header: [String]?
        var rows: [Int: Row] = [:]
        switch format {
        case .tsv:
            var ranges: [Range<Int>] = []
            file.forEachLine { line, range in
                guard !range.isEmpty else { return }
                TSVParser.splitOnTabs(file.bytes, range, into: &ranges)
                let fields = ranges.map(file.string)
                if header == nil { header = fields } else { rows[line] = .fields(fields) }
            }
        case .csv:
            var scanner = CSVRecordScanner(file: file)
            while let record = try scanner.next() {
                guard case .fields(let line, let fields) = record else { continue }
                if header == nil { header = fields } else { rows[line] = .fields(fields) }
            }
        case .jsonLines:
            header = []
            file.forEachLine { line, range in
                if let members = (try? JSONValue.parse(file.bytes[range]))?.members { rows[line] = .object(members) }
            }
        }
        guard let header else { throw DatasetError(path: path, line: nil, reason: .emptyFile) }
        self.header = header
        self.rows = rows
    }
}
