import Foundation

/// What every harness shares: the input as bytes, a scratch directory for parsers that read files, and the one
/// way a harness reports a broken property (a trap, which libFuzzer records as a crash with its input).

/// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`.
func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
    guard let data, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: count))
}

/// A directory of this process's own (libFuzzer runs one input at a time, so its files are reused), in memory
/// where the system offers it.
let scratchDirectory: URL = {
    let memory = URL(fileURLWithPath: "/dev/shm")
    let parent = FileManager.default.fileExists(atPath: memory.path) ? memory : FileManager.default.temporaryDirectory
    let url = parent.appendingPathComponent("distill-fuzz-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: scratchDirectory) }
    return url
}()

/// Writes `bytes` to `path` (relative, folders created as needed) in the scratch directory and returns its URL.
@discardableResult
func scratchFile(_ path: String, _ bytes: [UInt8]) -> URL {
    let url = scratchDirectory.appendingPathComponent(path)
    try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    do {
        try Data(bytes).write(to: url)  // not atomic: no temporary file and rename per input
    } catch {
        fatalError("fuzz harness: cannot write \(url.path): \(error)")
    }
    return url
}

/// Traps with `message` unless `condition` holds: a property the parser promises is broken for this input.
func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("fuzz property broken: \(message())") }
}
