/// Reads GLUE-style tab-separated files: one row per line, fields split on tabs only (quotes are ordinary
/// characters, as in the GLUE files), a header row unless column names are given, blank lines ignored.
enum TSVParser {
    static func parse(_ file: UTF8Text, options: DatasetReadOptions) throws(DatasetError) -> ParsedRows {
        var table: TableColumns?
        if let names = options.headerlessColumnNames {
            table = try TableColumns(header: names, path: file.path, options: options)
        }
        var rows: [RowOutcome] = []
        var fieldRanges: [Range<Int>] = []
        try file.forEachLine { (line, range) throws(DatasetError) in
            guard !range.isEmpty else { return }
            splitOnTabs(file.bytes, range, into: &fieldRanges)
            guard let columns = table else {
                table = try TableColumns(
                    header: fieldRanges.map(file.string), path: file.path, options: options)
                return
            }
            rows.append(columns.row(line: line, fieldCount: fieldRanges.count) { file.string(fieldRanges[$0]) })
        }
        guard let table else { throw DatasetError(path: file.path, line: nil, reason: .emptyFile) }
        return ParsedRows(columns: table.columns, rows: rows)
    }

    static func splitOnTabs(_ bytes: [UInt8], _ range: Range<Int>, into fields: inout [Range<Int>]) {
        fields.removeAll(keepingCapacity: true)
        bytes.withUnsafeBufferPointer { buffer in
            var fieldStart = range.lowerBound
            for index in range where buffer[index] == UInt8(ascii: "\t") {
                fields.append(fieldStart..<index)
                fieldStart = index + 1
            }
            fields.append(fieldStart..<range.upperBound)
        }
    }
}
