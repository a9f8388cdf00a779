import Foundation
import NN

/// How big a model is: its parameters and the bytes of its weight files.
public struct ModelFootprint: Sendable, Equatable, Codable {
    /// Scalar parameters (tensors shared between modules counted once).
    public var parameterCount: Int
    /// Total size of the `*.safetensors` files in the model directory (one file, or the shards of a large model).
    public var weightBytes: Int

    public init(parameterCount: Int, weightBytes: Int) {
        self.parameterCount = parameterCount
        self.weightBytes = weightBytes
    }

    /// Measures `model`, loaded from `directory`.
    public init(model: Module, directory: URL) throws {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.fileSizeKey])
        let weightFiles = files.filter { $0.pathExtension == "safetensors" }
        let bytes = try weightFiles.reduce(0) { total, file in
            total + (try file.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0)
        }
        self.init(parameterCount: model.parameterCount, weightBytes: bytes)
    }

    enum CodingKeys: String, CodingKey {
        case parameterCount = "parameters"
        case weightBytes = "weight_bytes"
    }
}
