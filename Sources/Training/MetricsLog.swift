import Foundation
import JSON

/// Appends one JSON object per line to `<output directory>/metrics.jsonl`, for example
/// `{"step":500,"epoch":0.59,"split":"eval","accuracy":0.9106,"loss":0.2563}`.
///
/// Keys come in a fixed order: `step`, `epoch`, `split`, then the values sorted by name. Non-finite values are
/// written as `null` (JSON has no NaN). Each line is written straight to the file, so it is complete on disk
/// even if the run is killed afterwards.
public struct MetricsLog: Sendable {
    /// The file name inside the output directory.
    public static let fileName = "metrics.jsonl"

    /// The file being appended to.
    public let fileURL: URL
    private let handle: FileHandle

    /// Opens (creating it and its directory if needed) `metrics.jsonl` in `directory`, keeping any lines
    /// already there (a resumed run continues the same log).
    public init(directory: URL) throws(MetricsLogError) {
        fileURL = directory.appendingPathComponent(Self.fileName)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw MetricsLogError(path: directory.path, operation: "create directory", reason: error)
        }
        if !FileManager.default.fileExists(atPath: fileURL.path) {
            guard FileManager.default.createFile(atPath: fileURL.path, contents: nil) else {
                throw MetricsLogError(path: fileURL.path, operation: "create file", reason: nil)
            }
        }
        do {
            handle = try FileHandle(forWritingTo: fileURL)
            try handle.seekToEnd()
        } catch {
            throw MetricsLogError(path: fileURL.path, operation: "open for appending", reason: error)
        }
    }

    /// Appends one line. `values` must not use the keys `step`, `epoch` or `split`.
    public func append(step: Int, epoch: Double, split: String, values: [String: Double]) throws(MetricsLogError) {
        let line = Self.line(step: step, epoch: epoch, split: split, values: values) + "\n"
        do {
            try handle.write(contentsOf: Data(line.utf8))
        } catch {
            throw MetricsLogError(path: fileURL.path, operation: "write", reason: error)
        }
    }

    /// The JSON text of one entry (without the newline).
    public static func line(step: Int, epoch: Double, split: String, values: [String: Double]) -> String {
        precondition(
            values.keys.allSatisfy { !["step", "epoch", "split"].contains($0) },
            "metric names must not be step, epoch or split")
        var members: [JSONValue.Member] = [
            .init(key: "step", value: JSONValue(step)), .init(key: "epoch", value: JSONValue(epoch)),
            .init(key: "split", value: .string(split)),
        ]
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            members.append(.init(key: name, value: JSONValue(value)))
        }
        return JSONValue.object(members).serialized()
    }
}

/// Why the metrics log could not be written.
public struct MetricsLogError: Error, CustomStringConvertible {
    /// The file or directory concerned.
    public let path: String
    /// What was being done ("create directory", "write", ...).
    public let operation: String
    /// The underlying error, if any.
    public let reason: (any Error)?

    public var description: String {
        "\(path): cannot \(operation) for the metrics log" + (reason.map { " (\($0.localizedDescription))" } ?? "")
    }
}

extension MetricsLog {
    /// Removes the entries of steps after `step` from `metrics.jsonl` in `directory` (all entries when `step` is
    /// `nil`), so that a run resumed from a checkpoint at `step` does not log those steps twice. Lines that are
    /// not entries (a line cut short by a killed process) go too. Nothing happens if there is no log.
    public static func discardEntries(after step: Int?, in directory: URL) throws(MetricsLogError) {
        let url = directory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        do {
            guard let step else { return try FileManager.default.removeItem(at: url) }
            let text = try String(contentsOf: url, encoding: .utf8)
            let kept = text.split(separator: "\n").filter { line in
                Self.step(ofEntry: line).map { $0 <= step } ?? false
            }
            try Data(kept.map { $0 + "\n" }.joined().utf8).write(to: url, options: .atomic)
        } catch {
            throw MetricsLogError(path: url.path, operation: "rewrite", reason: error)
        }
    }

    /// The step of a complete entry line (`{"step":N,...}`), or `nil` for anything else.
    private static func step(ofEntry line: Substring) -> Int? {
        (try? JSONValue.parse(String(line)))?["step"]?.integerValue
    }
}
