import Foundation
import Models
import NN

/// How big a model is: its parameters and the bytes of its weight files.
public struct ModelFootprint: Sendable, Equatable, Codable {
    /// Scalar parameters (tensors shared between modules counted once).
    public var parameterCount: Int
    /// Total size of the `*.safetensors` files in the model directory (one file, or the shards of a large model).
    public var weightBytes: Int
    /// How the linear layers' weights are stored: `fp32`, or the quantization scheme (`int8_dynamic`, `bf16`).
    public var weightFormat: String

    public init(parameterCount: Int, weightBytes: Int, weightFormat: String = "fp32") {
        self.parameterCount = parameterCount
        self.weightBytes = weightBytes
        self.weightFormat = weightFormat
    }

    /// Measures `model`, loaded from `directory` (whose config.json gives the weight format).
    public init(model: Module, config: ModelConfig, directory: URL) throws {
        // Resolved: Foundation lists a symbolic link to a directory as empty.
        let files = try FileManager.default.contentsOfDirectory(
            at: directory.resolvingSymlinksInPath(), includingPropertiesForKeys: [.fileSizeKey])
        let weightFiles = files.filter { $0.pathExtension == "safetensors" }
        let bytes = try weightFiles.reduce(0) { total, file in
            total + (try file.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0)
        }
        let scheme = try config.quantizationScheme(file: directory.appendingPathComponent("config.json"))
        self.init(parameterCount: model.parameterCount, weightBytes: bytes, weightFormat: scheme?.name ?? "fp32")
    }

    enum CodingKeys: String, CodingKey {
        case parameterCount = "parameters"
        case weightBytes = "weight_bytes"
        case weightFormat = "weight_format"
    }
}
