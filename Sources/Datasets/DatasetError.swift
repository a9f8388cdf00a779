import JSON

/// A problem found while reading a labelled text file, located by file path and (when it concerns one row)
/// the 1-based line number where that row starts.
public struct DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong. (An `Error` itself so that helpers that do not know the file can throw it; the reader
    /// always wraps it in a ``DatasetError``.)
    public enum Reason: Error, Sendable, Equatable {
        /// The file could not be opened or read.
        case unreadable(String)
        /// No format was given and the file name's extension does not tell it.
        case unknownFormat(pathExtension: String)
        /// The bytes of this line are not valid UTF-8.
        case invalidUTF8
        /// The file has no header row (TSV/CSV) or no record at all.
        case emptyFile
        /// A column (or JSON key) the reader was told to use, or needs, is not present.
        case missingColumn(String, available: [String])
        /// No column name matched a known text column and none was given.
        case noTextColumn(available: [String])
        /// No column name matched a known label column, none was given, and labels are required.
        case noLabelColumn(available: [String])
        /// The row has a different number of fields than the header.
        case wrongColumnCount(expected: Int, found: Int)
        /// The text in this column is empty or only whitespace.
        case emptyText(column: String)
        /// The label is neither a known name, a class index nor (for regression) a finite number.
        case unparsableLabel(String)
        /// The label is a name that the label set does not contain.
        case unknownLabel(String, known: [String])
        /// The label is a class index outside `0..<classCount`.
        case labelIndexOutOfRange(Int, classCount: Int)
        /// The label is not an integer, but the file's other labels are class indices `0..<classCount`.
        case notAClassIndex(String, classCount: Int)
        /// The label is an integer, but the file's other labels are these names.
        case integerAmongNamedLabels(String, names: [String])
        /// The label is an integer class index at or above `limit` (see ``LabelledTextReader``).
        case classIndexTooLarge(String, limit: Int)
        /// A CSV quoted field is not closed before the end of the file.
        case unterminatedQuote
        /// A CSV quoted field is followed by something other than a comma or the end of the record.
        case textAfterClosingQuote
        /// A JSON lines row is not valid JSON.
        case invalidJSON(String)
        /// A JSON lines row is valid JSON but not an object.
        case notAJSONObject
        /// A JSON value has the wrong type (for example a number where text is expected).
        case wrongValueType(key: String, expected: String)
    }

    /// The file the problem is in, as given by the caller.
    public let path: String
    /// The 1-based line number where the offending row starts, or `nil` for problems with the whole file.
    public let line: Int?
    /// What went wrong.
    public let reason: Reason

    /// Creates an error for `path`, optionally located at a 1-based `line`.
    public init(path: String, line: Int?, reason: Reason) {
        self.path = path
        self.line = line
        self.reason = reason
    }

    public var description: String {
        let location = line.map { "\(path):\($0)" } ?? path
        return "\(location): \(message)"
    }

    /// Text and names from the file are quoted as short excerpts, and long lists are cut, so that a huge cell
    /// or header cannot flood the message.
    private var message: String {
        switch reason {
        case .unreadable(let why):
            return "cannot read file (\(why))"
        case .unknownFormat(let pathExtension):
            return "cannot tell the file format from the extension '\(pathExtension)' (expected tsv, csv or jsonl)"
        case .invalidUTF8:
            return "invalid UTF-8"
        case .emptyFile:
            return "file is empty (expected a header row or at least one record)"
        case .missingColumn(let name, let available):
            return "no column '\(name.errorExcerpt())' (columns: \(Self.listed(available)))"
        case .noTextColumn(let available):
            return "cannot tell which column holds the text (columns: \(Self.listed(available))); "
                + "name it explicitly"
        case .noLabelColumn(let available):
            return "no label column found (columns: \(Self.listed(available))); "
                + "name it explicitly, or read the file as unlabelled"
        case .wrongColumnCount(let expected, let found):
            return "expected \(expected) columns, found \(found)"
        case .emptyText(let column):
            return "empty text in column '\(column.errorExcerpt())'"
        case .unparsableLabel(let label):
            return "cannot parse label '\(label.errorExcerpt())'"
        case .unknownLabel(let label, let known):
            return "unknown label '\(label.errorExcerpt())' (known labels: \(Self.listed(known)))"
        case .labelIndexOutOfRange(let index, let classCount):
            return "label index \(index) is out of range for \(classCount) classes"
        case .notAClassIndex(let label, let classCount):
            let expected = classCount > 0 ? "integer class indices 0 to \(classCount - 1)" : "integer class indices"
            return "label '\(label.errorExcerpt())' is not a class index; the file's other labels are \(expected)"
        case .integerAmongNamedLabels(let label, let names):
            return "label '\(label.errorExcerpt())' is an integer, but the file's other labels are names "
                + "(\(Self.listed(names)))"
        case .classIndexTooLarge(let label, let limit):
            return "label '\(label.errorExcerpt())' is too large a class index: class indices must be below \(limit) "
                + "(the number of labelled rows, or \(ClassLayout.minimumIndexLimit) if that is larger)"
        case .unterminatedQuote:
            return "quoted field is never closed"
        case .textAfterClosingQuote:
            return "unexpected text after a closing quote (a quote inside a quoted field must be doubled)"
        case .invalidJSON(let why):
            return "invalid JSON (\(why))"
        case .notAJSONObject:
            return "expected a JSON object"
        case .wrongValueType(let key, let expected):
            return "value of '\(key.errorExcerpt())' must be \(expected)"
        }
    }

    /// Up to ten names, each quoted as an excerpt, and how many more there are.
    private static func listed(_ names: [String]) -> String {
        let shown = names.prefix(10).map { $0.errorExcerpt() }.joined(separator: ", ")
        return names.count > 10 ? shown + ", and \(names.count - 10) more" : shown
    }
}
