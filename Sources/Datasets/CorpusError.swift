/// Why a text corpus cannot be read.
public enum CorpusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file cannot be opened, read or positioned.
    case unreadable(file: String, reason: String)
    /// The file is empty, or holds only blank lines.
    case noDocuments(file: String)
    /// A line is not valid UTF-8.
    case invalidUTF8(file: String, line: Int)
    /// A line holds NUL bytes: the file is binary, not text.
    case binaryContent(file: String, line: Int)
    /// A saved position does not belong to this file or is past its end.
    case invalidPosition(file: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): cannot read (\(reason))"
        case .noDocuments(let file): "\(file): no text (the file is empty or holds only blank lines)"
        case .invalidUTF8(let file, let line): "\(file):\(line): not valid UTF-8"
        case .binaryContent(let file, let line): "\(file):\(line): NUL bytes; this looks like a binary file, not text"
        case .invalidPosition(let file, let reason): "\(file): cannot resume at the saved position (\(reason))"
        }
    }
}
