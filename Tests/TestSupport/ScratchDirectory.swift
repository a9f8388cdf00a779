import Foundation

/// A fresh empty directory under the system's temporary directory for one test; the caller removes it.
public func makeScratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("distill-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs `body` with a fresh scratch directory, removed afterwards.
public func withScratchDirectory<Result>(_ body: (URL) throws -> Result) throws -> Result {
    let directory = try makeScratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// A fresh scratch directory, removed when the value is released.
public final class ScratchDirectory {
    public let url: URL

    public init() throws {
        url = try makeScratchDirectory()
    }

    public func path(_ component: String) -> URL { url.appendingPathComponent(component) }

    deinit { try? FileManager.default.removeItem(at: url) }
}
