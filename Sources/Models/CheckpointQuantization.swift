import Foundation
import NN
import SafeTensors
import Tensors

/// Writes a quantized copy of a float32 model directory (`distill quantize`), whatever its head: the
/// transformer blocks' linear weights in the scheme's stored form, the other matrices in the scheme's
/// `otherMatricesType`, every other tensor as it is, `quantization_config` in config.json, and the other
/// files (tokenizer, sentence-transformers configs) copied.
public enum CheckpointQuantization {
    /// Extensions of weight files that are not copied (the output's weights are its `model.safetensors`).
    static let weightFileExtensions: Set<String> = ["safetensors", "bin", "h5", "msgpack", "ot", "onnx", "pt", "pth"]

    /// Quantizes the model in `source` into `destination` (created; its config.json and model.safetensors are
    /// replaced).
    public static func quantize(modelAt source: URL, into destination: URL, scheme: any QuantizationScheme) throws {
        let configFile = source.appendingPathComponent("config.json")
        var config = try ModelConfig(contentsOf: configFile)
        if let existing = try config.quantizationScheme(file: configFile) {
            throw QuantizationError.alreadyQuantized(directory: source.path, scheme: existing.name)
        }
        let checkpoint = try SafeTensorsCheckpoint(directory: source)
        let tensors = try quantizedTensors(of: checkpoint, config: config, scheme: scheme)
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        try copyOtherFiles(from: source, to: destination)
        try SafeTensorsWriter.write(tensors, to: destination.appendingPathComponent(SafeTensorsCheckpoint.singleFileName))
        config.setQuantization(scheme)
        try config.write(to: destination.appendingPathComponent("config.json"))
    }

    /// Every tensor of `checkpoint`, the quantizable layers' weights in the scheme's stored form.
    static func quantizedTensors(of checkpoint: SafeTensorsCheckpoint, config: ModelConfig, scheme: any QuantizationScheme)
        throws -> [WritableTensor]
    {
        // The layers to quantize, by the checkpoint name of their weight (with or without the base prefix).
        // Built for its layer names only, so no weight is drawn.
        let generator = RandomGenerator(seed: 0)
        let (encoder, _) = generator.deferringNormals { config.makeEncoder(withPooler: false, generator: generator) }
        let prefix = config.modelType.basePrefix
        var layers: [String: String] = [:], missing: [String] = []
        for (name, _) in encoder.quantizableLinearLayers {
            let weight = config.modelType.family.storage(ofParameter: "\(name).weight").name
            guard let found = [weight, "\(prefix).\(weight)"].first(where: checkpoint.names.contains) else {
                missing.append(weight)
                continue
            }
            layers[found] = String(found.dropLast(".weight".count))
        }
        guard missing.isEmpty else {
            throw ModelWeightsError.missingWeights(directory: checkpoint.url.path, names: missing)
        }
        var result: [WritableTensor] = []
        for name in checkpoint.names {
            guard let info = checkpoint.info(name) else { continue }
            if let layer = layers[name] {
                let weight = Tensor(shape: info.shape, values: try checkpoint.floats(name))
                result += scheme.quantized(weight).storedTensors.map { WritableTensor(name: "\(layer).\($0.name)", tensor: $0.tensor) }
            } else if info.dtype.isFloatingPoint && info.shape.count >= 2 && scheme.otherMatricesType != .f32 {
                let matrix = Tensor(shape: info.shape, values: try checkpoint.floats(name))
                result.append(WritableTensor(name: name, tensor: try matrix.converted(to: scheme.otherMatricesType)))
            } else {
                let bytes = try checkpoint.withUnsafeBytes(of: name) { Array($0) }
                result.append(WritableTensor(name: name, shape: info.shape, storage: .bytes(info.dtype, bytes)))
            }
        }
        return result
    }

    /// Copies what `source` holds besides weights and config.json: tokenizer files, sentence-transformers
    /// configs and folders (`1_Pooling`), README. Folders holding weight files (ONNX or OpenVINO exports of the
    /// float32 model) are left out.
    static func copyOtherFiles(from source: URL, to destination: URL) throws {
        let fileManager = FileManager.default
        func isWeights(_ url: URL) -> Bool {
            weightFileExtensions.contains(url.pathExtension) || url.lastPathComponent.hasSuffix(".index.json")
        }
        // Resolved: Foundation lists a symbolic link to a directory as empty.
        for item in try fileManager.contentsOfDirectory(at: source.resolvingSymlinksInPath(), includingPropertiesForKeys: [.isDirectoryKey]) {
            guard item.lastPathComponent != "config.json", !isWeights(item) else { continue }
            if try item.resourceValues(forKeys: [.isDirectoryKey]).isDirectory == true {
                let contents = fileManager.enumerator(at: item, includingPropertiesForKeys: nil)?.allObjects ?? []
                if contents.contains(where: { ($0 as? URL).map(isWeights) ?? false }) { continue }
            }
            let target = destination.appendingPathComponent(item.lastPathComponent)
            if fileManager.fileExists(atPath: target.path) { try fileManager.removeItem(at: target) }
            try fileManager.copyItem(at: item, to: target)
        }
    }
}
