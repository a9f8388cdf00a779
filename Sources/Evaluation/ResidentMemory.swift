import Foundation
import Tensors

/// The process's resident memory as Linux reports it in `/proc/self/status`, with its peak reset between
/// measurements (the figures `distill bench` prints beside each speed).
public enum ResidentMemory {
    /// The resident set now, in bytes (`VmRSS`); nil where `/proc` does not say.
    public static var currentBytes: Int? { statusField("VmRSS") }

    /// The largest resident set since the process started or ``resetPeak()`` last succeeded (`VmHWM`).
    public static var peakBytes: Int? { statusField("VmHWM") }

    /// Sets the peak back to the current resident set (writing 5 to `/proc/self/clear_refs`, Linux 4.0 and later).
    /// Returns false where the kernel does not allow it; the peak then still counts from the start of the process.
    @discardableResult
    public static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// Runs `body` from a clean slate (the buffer pool's idle blocks and the C heap's free pages handed back to the system,
    /// the peak reset) and returns its result with the peak resident set while it ran, in bytes (nil when the peak
    /// cannot be reset or read).
    public static func measuringPeak<Result>(_ body: () throws -> Result) rethrows -> (result: Result, peakBytes: Int?) {
        BufferPool.shared.releaseIdle()
        let reset = resetPeak()
        let result = try body()
        return (result, reset ? peakBytes : nil)
    }

    /// A `kB` field of `/proc/self/status`, in bytes.
    static func statusField(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            let fields = line.dropFirst(name.count + 1).split(whereSeparator: \.isWhitespace)
            guard fields.count == 2, fields[1] == "kB", let kilobytes = Int(fields[0]) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }
}
