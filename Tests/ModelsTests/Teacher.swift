import Foundation

/// The quick-start teacher, all-MiniLM-L6-v2, as `scripts/fetch-teacher` leaves it: `$DISTILL_TEACHER` if set,
/// else `cache/all-MiniLM-L6-v2` in the package root.
enum Teacher {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The teacher directory; throws (so that a test using it fails, never skips) when it has no checkpoint.
    static func directory() throws -> URL {
        let configured = ProcessInfo.processInfo.environment["DISTILL_TEACHER"].flatMap { $0.isEmpty ? nil : $0 }
        let directory = configured.map { URL(fileURLWithPath: $0) }
            ?? packageRoot.appendingPathComponent("cache/all-MiniLM-L6-v2")
        for file in ["config.json", "model.safetensors", "vocab.txt"] {
            guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path) else {
                throw TeacherMissing(directory: directory, file: file)
            }
        }
        return directory
    }
}

/// The teacher checkpoint is not where the tests look for it.
struct TeacherMissing: Error, CustomStringConvertible {
    let directory: URL
    let file: String

    var description: String {
        "\(directory.path) has no \(file): run scripts/fetch-teacher (or set DISTILL_TEACHER to an all-MiniLM-L6-v2 directory)"
    }
}
