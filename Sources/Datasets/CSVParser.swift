/// Reads comma-separated files with RFC 4180 quoting: a field may be wrapped in double quotes, inside which
/// commas and line breaks are literal and `""` stands for one quote. A header row is expected unless column
/// names are given; blank lines are ignored. A quote inside an unquoted field is kept as an ordinary character.
enum CSVParser {
    static func parse(_ file: UTF8Text, options: DatasetReadOptions) throws(DatasetError) -> ParsedRows {
        var table: TableColumns?
        if let names = options.headerlessColumnNames {
            table = try TableColumns(header: names, path: file.path, options: options)
        }
        var rows: [RowOutcome] = []
        var scanner = CSVRecordScanner(file: file)
        while let record = try scanner.next() {
            switch record {
            case .malformed(let error):
                // A malformed header leaves nothing to read the rows with.
                guard table != nil else { throw error }
                rows.append(.malformed(error))
            case .fields(let line, let fields):
                guard let columns = table else {
                    table = try TableColumns(header: fields, path: file.path, options: options)
                    continue
                }
                rows.append(columns.row(line: line, fieldCount: fields.count) { fields[$0] })
            }
        }
        guard let table else { throw DatasetError(path: file.path, line: nil, reason: .emptyFile) }
        return ParsedRows(columns: table.columns, rows: rows)
    }
}

/// Splits CSV bytes into records, tracking the physical line each record starts on.
struct CSVRecordScanner {
    enum Record {
        case fields(line: Int, [String])
        case malformed(DatasetError)
    }

    private let file: UTF8Text
    private var position: Int
    private var line = 1
    /// Reused buffer for the unescaped bytes of a quoted field.
    private var quotedField: [UInt8] = []

    init(file: UTF8Text) {
        self.file = file
        self.position = file.contentStart
    }

    /// The next record, `nil` at the end of the file; throws if a quoted field is never closed.
    mutating func next() throws(DatasetError) -> Record? {
        let bytes = file.bytes
        return try bytes.withUnsafeBufferPointer { (buffer) throws(DatasetError) -> Record? in
            try next(in: buffer)
        }
    }

    private mutating func next(in bytes: UnsafeBufferPointer<UInt8>) throws(DatasetError) -> Record? {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n")
        let carriageReturn = UInt8(ascii: "\r")
        let end = bytes.count
        func isLineEnd(_ index: Int) -> Bool {
            bytes[index] == newline || (bytes[index] == carriageReturn && index + 1 < end && bytes[index + 1] == newline)
        }
        /// Moves past the line end at `position` (which `isLineEnd` accepted).
        func skipLineEnd() {
            position += bytes[position] == newline ? 1 : 2
            line += 1
        }

        while position < end && isLineEnd(position) { skipLineEnd() }
        guard position < end else { return nil }

        let recordLine = line
        var fields: [String] = []
        while true {
            if position < end && bytes[position] == quote {
                position += 1
                quotedField.removeAll(keepingCapacity: true)
                while true {
                    guard let closing = bytes[position..<end].firstIndex(of: quote) else {
                        throw DatasetError(path: file.path, line: recordLine, reason: .unterminatedQuote)
                    }
                    let content = bytes[position..<closing]
                    line += content.reduce(0) { $0 + ($1 == newline ? 1 : 0) }
                    quotedField.append(contentsOf: content)
                    position = closing + 1
                    guard position < end && bytes[position] == quote else { break }
                    quotedField.append(quote)  // `""` inside quotes is one literal quote
                    position += 1
                }
                fields.append(String(decoding: quotedField, as: UTF8.self))
                if position < end && bytes[position] != comma && !isLineEnd(position) {
                    // Resynchronise at the next line so later rows can still be read when skipping.
                    while position < end && bytes[position] != newline { position += 1 }
                    if position < end { skipLineEnd() }
                    return .malformed(DatasetError(path: file.path, line: recordLine, reason: .textAfterClosingQuote))
                }
            } else {
                let fieldStart = position
                while position < end && bytes[position] != comma && bytes[position] != newline { position += 1 }
                var fieldEnd = position
                if position == end || bytes[position] == newline,
                    fieldEnd > fieldStart && bytes[fieldEnd - 1] == carriageReturn
                {
                    fieldEnd -= 1
                }
                fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[fieldStart..<fieldEnd]), as: UTF8.self))
            }
            if position < end && bytes[position] == comma {
                position += 1
                continue
            }
            if position < end { skipLineEnd() }
            return .fields(line: recordLine, fields)
        }
    }
}
