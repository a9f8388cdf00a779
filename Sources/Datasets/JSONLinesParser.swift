import Foundation

/// Reads JSON lines files: one JSON object per line, blank lines ignored. The keys play the role of column
/// names (for example `{"text": ..., "text_pair": ..., "label": ...}` or `{"sentence": ..., "label": ...}`) and
/// are chosen from the first valid object.
enum JSONLinesParser {
    static func parse(_ file: UTF8Text, options: DatasetReadOptions) throws(DatasetError) -> ParsedRows {
        var objects: [(line: Int, object: Result<[String: Any], DatasetError>)] = []
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
                available: firstObject.keys.sorted(), overrides: options.columns,
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

    private static func parseObject(_ file: UTF8Text, line: Int, range: Range<Int>) -> Result<
        [String: Any], DatasetError
    > {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(file.bytes[range]), options: [.fragmentsAllowed])
        } catch {
            let why = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            return .failure(DatasetError(path: file.path, line: line, reason: .invalidJSON(why)))
        }
        guard let object = value as? [String: Any] else {
            return .failure(DatasetError(path: file.path, line: line, reason: .notAJSONObject))
        }
        return .success(object)
    }

    private static func record(
        _ object: [String: Any], line: Int, columns: ColumnNames, labelsOptional: Bool
    ) throws(DatasetError.Reason) -> RawRecord {
        func isMissing(_ key: String) -> Bool { object[key] == nil || object[key] is NSNull }
        func text(_ key: String) throws(DatasetError.Reason) -> String {
            guard let value = object[key], !isMissing(key) else {
                throw .missingColumn(key, available: object.keys.sorted())
            }
            guard let text = value as? String else { throw .wrongValueType(key: key, expected: "a string") }
            return text
        }
        var label: RawLabel?
        if let key = columns.label, isMissing(key), !labelsOptional {
            throw .missingColumn(key, available: object.keys.sorted())
        }
        if let key = columns.label, let value = object[key], !isMissing(key) {
            if let text = value as? String {
                label = .text(text)
            } else if let number = value as? NSNumber {
                label = .number(number.doubleValue)
            } else {
                throw .wrongValueType(key: key, expected: "a string or a number")
            }
        }
        return RawRecord(
            line: line, text: try text(columns.text), textPair: try columns.textPair.map(text), label: label)
    }
}
