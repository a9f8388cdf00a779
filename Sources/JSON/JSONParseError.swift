/// Why a JSON document could not be parsed.
public enum JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not valid JSON. `offset` is the byte position of the fault in the document; `line` and `column` (both
    /// from 1, the column counting bytes) locate it for people.
    case syntax(offset: Int, line: Int, column: Int, reason: String)
    /// An object has two members named `key`; `path` names the enclosing object (`""` for the top level).
    case duplicateKey(key: String, path: String)

    public var description: String {
        switch self {
        case .syntax(_, let line, let column, let reason):
            line == 1 ? "\(reason) at column \(column)" : "\(reason) at line \(line), column \(column)"
        case .duplicateKey(let key, let path):
            path.isEmpty
                ? "duplicate key \"\(key.errorExcerpt())\""
                : "duplicate key \"\(key.errorExcerpt())\" inside \"\(path.errorExcerpt())\""
        }
    }
}
