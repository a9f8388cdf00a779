import Datasets
import Foundation
import JSON

/// An augmented copy of a labelled text file, in the input's format with its columns and header and one more
/// column (or JSON key), ``AugmentedFile/sourceColumn``: each original row as it was (that column empty, or the
/// key absent), followed by its variants, which have the augmented text, an empty label (the teacher provides
/// their targets) and the 1-based line of their original in that column.
public struct AugmentedFile {
    /// The column that says which input line a variant comes from.
    public static let sourceColumn = "augmented_from"

    /// The input file, for messages.
    public let inputPath: String
    /// The input's rows as written.
    public let source: SourceRows
    /// The columns the reader used (the text is replaced, the label emptied; the second text of a pair is kept).
    public let columns: ColumnNames
    /// The output's TSV/CSV header: the input's, with the source column (reused if the input already has one, as
    /// an augmented file does).
    private let header: [String]
    private let textIndex: Int, labelIndex: Int?, sourceIndex: Int
    private var text = ""

    /// An empty output for the rows of `source`, the file at `inputPath`, read through `columns`.
    public init(inputPath: String, source: SourceRows, columns: ColumnNames) {
        self.inputPath = inputPath
        self.source = source
        self.columns = columns
        header = source.header.contains(Self.sourceColumn) ? source.header : source.header + [Self.sourceColumn]
        // The reader matches header names trimmed, and only names present in the header.
        let names = header.map { $0.trimmingCharacters(in: .whitespaces) }
        textIndex = names.firstIndex(of: columns.text) ?? 0
        labelIndex = columns.label.flatMap { names.firstIndex(of: $0) }
        sourceIndex = names.firstIndex(of: Self.sourceColumn) ?? 0
        if source.format != .jsonLines { text = line(fields: header) }
    }

    /// Appends the input row that starts on `line` and its variants.
    public mutating func append(line: Int, variants: [String]) throws(AugmentationError) {
        switch source.rows[line] {
        case .fields(var fields):
            if fields.count < header.count { fields.append("") }
            guard fields.count == header.count else { throw .rowNotFound(path: inputPath, line: line) }
            text += self.line(fields: fields)
            for variant in variants {
                fields[textIndex] = variant
                if let labelIndex { fields[labelIndex] = "" }
                fields[sourceIndex] = String(line)
                text += self.line(fields: fields)
            }
        case .object(let members):
            text += JSONValue.object(members).serialized() + "\n"
            for variant in variants {
                var object = members.filter { $0.key != Self.sourceColumn }.map { member in
                    switch member.key {
                    case columns.text: JSONValue.Member(key: member.key, value: .string(variant))
                    case columns.label: JSONValue.Member(key: member.key, value: .null)
                    default: member
                    }
                }
                object.append(JSONValue.Member(key: Self.sourceColumn, value: JSONValue(line)))
                text += JSONValue.object(object).serialized() + "\n"
            }
        case nil:
            throw .rowNotFound(path: inputPath, line: line)
        }
    }

    /// Writes the file to `path` under a temporary name, then renames it.
    public func write(to path: String) throws(AugmentationError) {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    private func line(fields: [String]) -> String {
        switch source.format {
        case .csv: fields.map(Self.csvField).joined(separator: ",") + "\n"
        default: fields.joined(separator: "\t") + "\n"
        }
    }

    /// A CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break.
    private static func csvField(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
