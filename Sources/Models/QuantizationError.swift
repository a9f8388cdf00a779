/// Why a model cannot be quantized, or a quantized model cannot be loaded or run here.
public enum QuantizationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `quantization_config` (or one of its keys, named as `quantization_config.scheme`) is not what we write.
    case malformedConfig(file: String, key: String, reason: String)
    /// `quantization_config` names a scheme (or a `quant_method`) that this version does not know.
    case unknownScheme(file: String, key: String, name: String, known: [String])
    /// This CPU lacks the instructions of the scheme's products.
    case unsupportedCPU(scheme: String, reason: String)
    /// The model is quantized already: quantize its float32 original instead.
    case alreadyQuantized(directory: String, scheme: String)
    /// The checkpoint lacks tensors of the scheme's stored form (a weight or its scales).
    case missingTensors(directory: String, scheme: String, names: [String])

    public var description: String {
        switch self {
        case let .malformedConfig(file, key, reason): "\(file): key \"\(key)\": \(reason)"
        case let .unknownScheme(file, key, name, known):
            "\(file): key \"\(key)\": unknown quantization \"\(name)\" (known: \(known.joined(separator: ", ")))"
        case let .unsupportedCPU(scheme, reason): "cannot run the \(scheme) model on this CPU: \(reason)"
        case let .alreadyQuantized(directory, scheme): "\(directory): the model is quantized already (\(scheme)); quantize its float32 original"
        case let .missingTensors(directory, scheme, names):
            "\(directory): the \(scheme) checkpoint lacks \(names.count) tensor(s) of its quantized weights: \(names.prefix(8).joined(separator: ", "))"
        }
    }
}
