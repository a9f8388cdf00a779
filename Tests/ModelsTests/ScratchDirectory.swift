import Foundation
import SafeTensors

/// Runs `body` with a fresh directory under the system's temporary folder, removed afterwards.
func withScratchDirectory<Result>(_ body: (URL) throws -> Result) throws -> Result {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ModelsTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// Rewrites the `model.safetensors` in `directory` after `edit` has changed its list of (float) tensors.
func editCheckpoint(in directory: URL, _ edit: (inout [WritableTensor]) -> Void) throws {
    let url = directory.appendingPathComponent(SafeTensorsCheckpoint.singleFileName)
    let file = try SafeTensorsFile(url: url)
    var tensors = try file.names.map { name in
        WritableTensor(name: name, shape: file.info(name)?.shape ?? [], floats: try file.floats(name))
    }
    edit(&tensors)
    try SafeTensorsWriter.write(tensors, to: url)
}
