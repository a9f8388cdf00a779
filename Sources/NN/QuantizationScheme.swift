import Tensors

/// How a model's linear layers store their weights for inference (`quantization_config.scheme` in
/// config.json): a scheme makes each layer's stored form, empty for loading or from trained weights. Which
/// layers it applies to is the model's business (the transformer blocks' projections); embeddings, LayerNorm,
/// softmax and GELU stay in `f32`. A new scheme is a new conforming type listed in `QuantizationSchemes.all`.
public protocol QuantizationScheme: Sendable {
    /// The name in `quantization_config.scheme` (`int8_dynamic`, `bf16`).
    var name: String { get }
    /// How it stores weights and treats inputs, in words (written to `quantization_config`).
    var summary: String { get }
    /// The element types the products multiply: inputs by weights (what the CPU must have instructions for).
    var productTypes: (input: ElementType, weight: ElementType) { get }
    /// The element type in which a checkpoint stores the other floating-point matrices (embedding tables,
    /// heads); loading turns them back into `f32` exactly.
    var otherMatricesType: ElementType { get }
    /// The precision of the attention products `Q Kᵀ` and `P V` in a model quantized so (what was faster on
    /// the forward pass; see the README's Quantization section).
    var attentionProductPrecision: MatmulPrecision { get }
    /// A layer's stored form for a `[outputSize, inputSize]` weight, to be filled by loading.
    func emptyWeights(outputSize: Int, inputSize: Int) -> any QuantizedLinear
    /// A layer's stored form of a trained `f32 [out, in]` weight.
    func quantized(_ weight: Tensor) -> any QuantizedLinear
}

extension QuantizationScheme {
    /// What `cpu` lacks to run the scheme's products, or `nil` when it has everything. By default the CPU as
    /// oneDNN sees it (`ONEDNN_MAX_CPU_ISA` hides extensions).
    public func missingSupport(on cpu: CPUFeatures = .oneDNN) -> String? {
        cpu.missingSupport(forMatmul: productTypes.input, productTypes.weight)
    }
}

/// The registry of quantization schemes, by name.
public enum QuantizationSchemes {
    public static let all: [any QuantizationScheme] = [Int8DynamicQuantization(), BF16Quantization()]

    /// The scheme called `name`, if there is one.
    public static func named(_ name: String) -> (any QuantizationScheme)? { all.first { $0.name == name } }
}

extension Module {
    /// Whether any linear layer of this module multiplies by quantized weights (such a model runs inference
    /// only).
    public var isQuantized: Bool { namedModules().contains { ($0.module as? Linear)?.quantized != nil } }
}
