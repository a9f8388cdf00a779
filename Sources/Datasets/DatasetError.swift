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
            return "no column '\(name)' (columns: \(available.joined(separator: ", ")))"
        case .noTextColumn(let available):
            return "cannot tell which column holds the text (columns: \(available.joined(separator: ", "))); "
                + "name it explicitly"
        case .noLabelColumn(let available):
            return "no label column found (columns: \(available.joined(separator: ", "))); "
                + "name it explicitly, or read the file as unlabelled"
        case .wrongColumnCount(let expected, let found):
            return "expected \(expected) columns, found \(found)"
        case .emptyText(let column):
            return "empty text in column '\(column)'"
        case .unparsableLabel(let label):
            return "cannot parse label '\(label)'"
        case .unknownLabel(let label, let known):
            return "unknown label '\(label)' (known labels: \(known.joined(separator: ", ")))"
        case .labelIndexOutOfRange(let index, let classCount):
            return "label index \(index) is out of range for \(classCount) classes"
        case .unterminatedQuote:
            return "quoted field is never closed"
        case .textAfterClosingQuote:
            return "unexpected text after a closing quote (a quote inside a quoted field must be doubled)"
        case .invalidJSON(let why):
            return "invalid JSON (\(why))"
        case .notAJSONObject:
            return "expected a JSON object"
        case .wrongValueType(let key, let expected):
            return "value of '\(key)' must be \(expected)"
        }
    }
}
