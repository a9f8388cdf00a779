import Foundation
import SafeTensors

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
