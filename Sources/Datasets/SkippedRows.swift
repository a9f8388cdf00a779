/// The bad rows a reader left out of a file when told to skip them (see ``DatasetReadOptions/skipBadRows``).
public struct SkippedRows: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How many line numbers are kept for reporting.
    public static let reportedLineLimit = 5

    /// The file the rows were skipped from.
    public let path: String
    /// How many rows were skipped.
    public private(set) var count = 0
    /// The 1-based lines where the first skipped rows start (at most ``reportedLineLimit``), in file order.
    public private(set) var firstLines: [Int] = []

    enum CodingKeys: String, CodingKey {
        case path, count
        case firstLines = "first_lines"
    }

    /// No rows skipped yet from `path`.
    public init(path: String) {
        self.path = path
    }

    /// Counts one more skipped row, starting on `line` (`nil` when the problem has no line).
    mutating func record(line: Int?) {
        count += 1
        if let line, firstLines.count < Self.reportedLineLimit { firstLines.append(line) }
    }

    /// For example "skipped 7 bad rows of train.tsv (lines 3, 9, 12, 40, 41, ...)".
    public var description: String {
        let rows = count == 1 ? "1 bad row" : "\(count) bad rows"
        guard !firstLines.isEmpty else { return "skipped \(rows) of \(path)" }
        let lines = firstLines.map(String.init).joined(separator: ", ") + (count > firstLines.count ? ", ..." : "")
        return "skipped \(rows) of \(path) (\(firstLines.count == 1 && count == 1 ? "line" : "lines") \(lines))"
    }
}
