import JSON

/// Reads JSON lines files: one JSON object per line, blank lines ignored. The keys play the role of column
/// names (for example `{"text": ..., "text_pair": ..., "label": ...}` or `{"sentence": ..., "label": ...}`) and
/// are chosen from the first valid object.
enum JSONLinesParser {
    static func parse(_ file: UTF8Text, options: DatasetReadOptions) throws(DatasetError) -> ParsedRows {
        var objects: [(line: Int, object: Result<JSONValue, DatasetError>)] = []
        file.forEachLine { line, range in
            guard file.bytes[range].contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else {
                return
            }
            objects.append((line, parseObject(file, line: line, range: range)))
        }
        guard let firstObject = objects.lazy.compactMap({ try? $0.object.get() }).first else {
            // Nothing to take the keys from: report the first bad row, or an empty file.
            if case .failure(let error) = objects.first?.object { throw error }
            throw DatasetError(path: file.path, line: nil, reason: .emptyFile)
        }
        let columns: ColumnNames
        do {
            columns = try ColumnNames.resolve(
                available: Self.sortedKeys(firstObject), overrides: options.columns,
                labelsOptional: options.labelsOptional)
        } catch {
            let firstObjectLine = objects.first { (try? $0.object.get()) != nil }?.line
            throw DatasetError(path: file.path, line: firstObjectLine, reason: error)
        }
        let rows = objects.map { line, object in
            switch object {
            case .failure(let error): return RowOutcome.malformed(error)
            case .success(let object):
                do throws(DatasetError.Reason) {
                    return .record(
                        try record(object, line: line, columns: columns, labelsOptional: options.labelsOptional))
                } catch {
                    return .malformed(DatasetError(path: file.path, line: line, reason: error))
                }
            }
        }
        return ParsedRows(columns: columns, rows: rows)
    }

    private static func parseObject(_ file: UTF8Text, line: Int, range: Range<Int>) -> Result<JSONValue, DatasetError> {
        let value: JSONValue
        do {
            // The file's byte-order mark is already skipped; a U+FEFF anywhere in a line is text.
            value = try JSONValue.parse(file.bytes[range])
        } catch {
            return .failure(DatasetError(path: file.path, line: line, reason: .invalidJSON(error.description)))
        }
        guard value.members != nil else {
            return .failure(DatasetError(path: file.path, line: line, reason: .notAJSONObject))
        }
        return .success(value)
    }

    private static func sortedKeys(_ object: JSONValue) -> [String] {
        (object.members ?? []).map(\.key).sorted()
    }

    private static func record(
        _ object: JSONValue, line: Int, columns: ColumnNames, labelsOptional: Bool
    ) throws(DatasetError.Reason) -> RawRecord {
        func isMissing(_ key: String) -> Bool { object[key]?.isNull ?? true }
        func text(_ key: String) throws(DatasetError.Reason) -> String {
            guard let value = object[key], !value.isNull else {
                throw .missingColumn(key, available: sortedKeys(object))
            }
            guard let text = value.stringValue else { throw .wrongValueType(key: key, expected: "a string") }
            return text
        }
        var label: RawLabel?
        if let key = columns.label, isMissing(key), !labelsOptional {
            throw .missingColumn(key, available: sortedKeys(object))
        }
        if let key = columns.label, let value = object[key], !value.isNull {
            if let text = value.stringValue {
                label = .text(text)
            } else if let number = value.doubleValue {
                label = .number(number)
            } else {
                throw .wrongValueType(key: key, expected: "a string or a number")
            }
        }
        return RawRecord(
            line: line, text: try text(columns.text), textPair: try columns.textPair.map(text), label: label)
    }
}
