import Foundation
import JSON
import NN
import SafeTensors
import Tensors

/// `quantization_config` in config.json, as we write it:
/// `{"quant_method": "distill", "scheme": "int8_dynamic" | "bf16", "description": ..., "modules": ...}`.
/// transformers skips a `quant_method` it does not know (with a warning), so a bf16 model still loads there.
extension ModelConfig {
    public static let quantizationKey = "quantization_config"
    /// Our `quant_method`.
    public static let quantizationMethod = "distill"

    /// The scheme `quantization_config` names, or `nil` for a float32 model. `file` is named in errors.
    public func quantizationScheme(file: URL) throws(QuantizationError) -> (any QuantizationScheme)? {
        guard let value = extraKeys[Self.quantizationKey], !value.isNull else { return nil }
        let key = Self.quantizationKey
        guard value.members != nil else {
            throw .malformedConfig(file: file.path, key: key, reason: "expected an object, found \(value.kindName)")
        }
        guard let method = value["quant_method"]?.stringValue else {
            throw .malformedConfig(file: file.path, key: "\(key).quant_method", reason: "missing, or not a string")
        }
        guard method == Self.quantizationMethod else {
            throw .unknownScheme(file: file.path, key: "\(key).quant_method", name: method, known: [Self.quantizationMethod])
        }
        guard let name = value["scheme"]?.stringValue else {
            throw .malformedConfig(file: file.path, key: "\(key).scheme", reason: "missing, or not a string")
        }
        guard let scheme = QuantizationSchemes.named(name) else {
            throw .unknownScheme(file: file.path, key: "\(key).scheme", name: name, known: QuantizationSchemes.all.map(\.name))
        }
        return scheme
    }

    /// Records `scheme` in `quantization_config` (and `dtype` bfloat16 when it stores matrices so).
    public mutating func setQuantization(_ scheme: any QuantizationScheme) {
        extraKeys[Self.quantizationKey] = [
            "quant_method": .string(Self.quantizationMethod), "scheme": .string(scheme.name),
            "description": .string(scheme.summary), "modules": "the linear layers of the transformer blocks",
        ]
        if scheme.otherMatricesType == .bf16 { dtype = "bfloat16" }
    }
}

extension Module {
    /// The linear layers that quantization applies to, with their names: those of every transformer block (the
    /// attention projections and the feed-forward). Embeddings, pooler and task heads stay in float32.
    public var quantizableLinearLayers: [(name: String, layer: Linear)] {
        let modules = namedModules()
        let inBlocks = Set(modules.compactMap { $0.module as? TransformerEncoder }.flatMap { encoder in
            encoder.layers.namedModules().compactMap { $0.module as? Linear }.map(ObjectIdentifier.init)
        })
        return modules.compactMap { name, module in
            guard let layer = module as? Linear, inBlocks.contains(ObjectIdentifier(layer)) else { return nil }
            return (name, layer)
        }
    }

    /// Quantizes this model's trained float32 weights in memory with `scheme`, for inference (`distill bench`).
    /// Its config is not changed, so it is not for saving: `CheckpointQuantization` writes quantized models.
    public func quantize(_ scheme: any QuantizationScheme) throws {
        if let reason = scheme.missingSupport() { throw QuantizationError.unsupportedCPU(scheme: scheme.name, reason: reason) }
        for (name, layer) in quantizableLinearLayers {
            layer.quantize(into: scheme.quantized(layer.weight))
            try layer.prepareQuantized(name: name)
        }
        setAttentionProductPrecision(scheme.attentionProductPrecision)
    }

    /// Loads a checkpoint described by `config`: a float32 one as ``loadWeights(from:modelType:strict:)`` does,
    /// a quantized one (`quantization_config`) into quantized layers, which run inference only. `configFile` is
    /// named in errors about `quantization_config`.
    @discardableResult
    public func loadWeights(from checkpoint: any SafeTensorsSource, config: ModelConfig, configFile: URL, strict: Bool = false)
        throws -> WeightLoadReport
    {
        guard let scheme = try config.quantizationScheme(file: configFile) else {
            return try loadWeights(from: checkpoint, modelType: config.modelType, strict: strict)
        }
        if let reason = scheme.missingSupport() { throw QuantizationError.unsupportedCPU(scheme: scheme.name, reason: reason) }
        let layers = quantizableLinearLayers
        for (_, layer) in layers {
            layer.quantize(into: scheme.emptyWeights(outputSize: layer.outputSize, inputSize: layer.inputSize))
        }
        let report = try loadWeights(from: checkpoint, modelType: config.modelType, strict: strict)
        let stored = Set(layers.flatMap { name, layer in (layer.quantized?.storedTensors ?? []).map { "\(name).\($0.name)" } })
        let missing = report.missing.filter(stored.contains)
        guard missing.isEmpty else {
            throw QuantizationError.missingTensors(directory: checkpoint.url.path, scheme: scheme.name, names: missing)
        }
        for (name, layer) in layers { try layer.prepareQuantized(name: name) }
        setAttentionProductPrecision(scheme.attentionProductPrecision)
        return report
    }
}
