/// The layout of a labelled text file.
public enum DataFormat: String, Sendable, CaseIterable {
    /// Tab-separated values with a header row, as in GLUE. Lines are split on tabs only; quotes are literal.
    case tsv
    /// Comma-separated values with a header row and RFC 4180 quoting.
    case csv
    /// One JSON object per line.
    case jsonLines = "jsonl"

    /// The format implied by a file name's extension (`.tsv`, `.csv`, `.jsonl`/`.ndjson`/`.json`), if any.
    public init?(path: String) {
        switch Self.pathExtension(of: path).lowercased() {
        case "tsv": self = .tsv
        case "csv": self = .csv
        case "jsonl", "ndjson", "json": self = .jsonLines
        default: return nil
        }
    }

    /// The text after the last dot of the last path component, or "" if there is none.
    static func pathExtension(of path: String) -> String {
        let fileName = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return "" }
        return String(fileName[fileName.index(after: dot)...])
    }
}
