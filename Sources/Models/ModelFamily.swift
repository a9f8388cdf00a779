import Foundation
import JSON
import NN
import Tensors

/// One transformer family (BERT, DistilBERT, ...): everything that differs between families, in one type per
/// family under `Families/`, in the spirit of mlx-swift-lm's one file per model.
///
/// **What a family says.**
/// - Its `model_type` (``modelType``), the stem of its transformers class names (``classPrefix``: `Bert` gives
///   `BertForMaskedLM`, ...) and the name task models keep their base model under (``basePrefix``,
///   transformers' `base_model_prefix`).
/// - Its `config.json` keys: ``readConfig(_:)`` reads them into a ``ModelConfig`` (the keys all families share,
///   `initializer_range`, `pad_token_id`, labels, `architectures`, ..., are read after it; encoder families
///   name their dimensions through ``ConfigKeys``), ``writeConfig(_:into:)`` writes them back, and
///   ``adopt(_:)`` fills what the family needs when a config of another family is converted to it.
/// - Its weights: the modules it builds carry parameter names (see `Module`); ``storage(ofParameter:)`` says
///   under which name and in which layout its checkpoints keep each one (a different name, a transposed
///   `[in, out]` matrix), which saving writes and loading undoes; ``sanitize(checkpointName:)`` renames what older
///   checkpoints spell differently or drops what is not a parameter (the style of mlx-swift-lm's
///   `sanitize(weights:)`).
/// - How it builds its layers (``makeLayer(shape:generator:)``, under ``layerPrefix``) and the parts of the
///   task heads that differ (``hasPooler``, ``usesPreClassifier``, ``maskedLanguageModelNames``, ...).
///
/// **Registering.** BERT and DistilBERT are registered from the start; any other family, in this module or
/// outside it, is registered with ``ModelType/register(_:)``, after which `config.json` files naming its
/// `model_type` load as it. Nothing in the shared code names a family. ``ModelType`` is the handle the rest of the
/// toolkit holds (`ModelType.bert`).
///
/// **The next family, GPT-2,** fits these seams: its keys (`n_embd`, `n_layer`, `n_head`, `n_inner` (null: 4 ×
/// `n_embd`), `activation_function`, `resid_pdrop`, `attn_pdrop`, `n_positions`, `layer_norm_epsilon`) are read
/// by its `readConfig`; its `sanitize` drops the float causal-mask buffers old checkpoints store
/// (`h.N.attn.bias`, `h.N.attn.masked_bias`); `Conv1D` stores its weights `[in, out]`, the transpose of
/// `Linear`'s, so its `storage(ofParameter:)` marks `c_attn`, `c_proj`, `c_fc` weights transposed (the test family
/// `toy-bert` in the Models tests does the same for BERT's layers); its pre-LN block (LN → attention → residual,
/// LN → MLP → residual) is a `TransformerBlock` of its own, whose attention holds the fused `c_attn` (split into
/// queries, keys and values after one projection) and adds the causal mask to the padding mask itself; its
/// classes (`GPT2Model`, `GPT2LMHeadModel`) come from `classPrefix` `GPT2` and `basePrefix` `transformer`.
/// Beyond registering, it brings types of its own rather than branches here: its embeddings (`wte`, `wpe`, no
/// LayerNorm) and final `ln_f` make a base model beside ``TransformerEncoder``, and its tied LM head a head beside
/// ``MaskedLanguageModel``. The members below that only the encoder heads read (from `makeLayer` on) then move to
/// a refinement, `EncoderFamily`, which those heads require and `load` checks for, so that a decoder family is not
/// asked for a pooler.
public protocol ModelFamily: Sendable {
    /// `model_type` in `config.json`.
    static var modelType: String { get }
    /// The stem of the transformers class names (`Bert` for `BertModel`, `BertForSequenceClassification`, ...).
    static var classPrefix: String { get }
    /// The name under which task models keep the base model (`base_model_prefix`).
    static var basePrefix: String { get }

    /// Sets this family's defaults on a fresh config (transformers' `…Config()` defaults for its own keys).
    static func applyDefaults(to config: inout ModelConfig)
    /// Reads this family's keys (the dimensions included) into a config that has its defaults.
    static func readConfig(_ reader: inout ConfigReader) throws -> ModelConfig
    /// Writes this family's keys.
    static func writeConfig(_ config: ModelConfig, into object: inout [String: JSONValue])
    /// Sets what this family needs on a config converted from another family (see ``ModelConfig/converted(to:)``).
    static func adopt(_ config: inout ModelConfig)

    /// The name a checkpoint tensor goes by in this family's current layout (the name ``storage(ofParameter:)``
    /// gives), or `nil` for a tensor that is not a parameter. The default renames TensorFlow-era LayerNorm names.
    static func sanitize(checkpointName: String) -> String?
    /// Where and how this family's checkpoints keep parameter `name` (the model's own name, with the base prefix
    /// when the model has one). The default: under its own name, as the module holds it.
    static func storage(ofParameter name: String) -> StoredParameter

    /// One encoder layer of the given shape, its weights named as in this family's checkpoints.
    static func makeLayer(shape: TransformerLayerShape, generator: RandomGenerator) -> any TransformerBlock
    /// Where the base model keeps its layers (`encoder.layer`).
    static var layerPrefix: String { get }
    /// Whether the base model has a pooler over [CLS] (BERT) that sequence classification reads.
    static var hasPooler: Bool { get }
    /// Whether sequence classification puts `pre_classifier` + ReLU over h[CLS] (DistilBERT) instead of a pooler.
    static var usesPreClassifier: Bool { get }
    /// The masked-LM head's module names.
    static var maskedLanguageModelNames: MaskedLanguageModelNames { get }
    /// The masked-LM head's activation between its transform and its LayerNorm.
    static func maskedLanguageModelActivation(_ config: ModelConfig) -> FeedForwardActivation
    /// The dropout before `qa_outputs`.
    static func questionAnsweringDropout(_ config: ModelConfig) -> Double
}

extension ModelFamily {
    /// transformers' renames for every family: TensorFlow-era checkpoints name LayerNorm parameters `gamma` and
    /// `beta`.
    public static func sanitize(checkpointName name: String) -> String? {
        for (old, new) in [(".gamma", ".weight"), (".beta", ".bias")] where name.hasSuffix(old) {
            return name.dropLast(old.count) + new
        }
        return name
    }

    public static func storage(ofParameter name: String) -> StoredParameter {
        StoredParameter(name: name)
    }
}

/// Where and how a checkpoint keeps one parameter.
public struct StoredParameter: Sendable, Equatable {
    /// The checkpoint tensor's name.
    public var name: String
    /// Whether the checkpoint holds the transpose of the parameter's 2-D matrix: `[in, out]` where `Linear` holds
    /// `[out, in]` (GPT-2's `Conv1D`). Loading transposes it back, saving transposes it again.
    public var isTransposed: Bool

    public init(name: String, isTransposed: Bool = false) {
        self.name = name
        self.isTransposed = isTransposed
    }
}

/// Where a masked-LM head keeps its weights.
public struct MaskedLanguageModelNames: Sendable {
    public var transform, layerNorm, decoderWeight, decoderBias: String

    public init(transform: String, layerNorm: String, decoderWeight: String, decoderBias: String) {
        self.transform = transform
        self.layerNorm = layerNorm
        self.decoderWeight = decoderWeight
        self.decoderBias = decoderBias
    }
}

/// A model family, as `config.json`'s `model_type` names it (`ModelType.bert`, `.distilbert`); equal handles have
/// the same `model_type`.
public struct ModelType: RawRepresentable, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    let family: any ModelFamily.Type

    /// The handle of `family`; ``register(_:)`` makes `config.json` files naming its `model_type` load as it.
    public init(_ family: any ModelFamily.Type) {
        self.family = family
    }

    /// The registered family whose `model_type` is `rawValue`, if any.
    public init?(rawValue: String) {
        guard let known = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = known
    }

    /// Every registered family, in the order registered: BERT, DistilBERT, then those added by ``register(_:)``.
    public static var allCases: [ModelType] { registry.types }

    private static let registry = FamilyRegistry(types: [.bert, .distilbert])

    /// Registers `family`, so that `ModelType(rawValue:)` and `config.json` reading find it, and returns its handle.
    /// Registering the same family again changes nothing; another family under a `model_type` already taken is
    /// refused.
    @discardableResult
    public static func register(_ family: any ModelFamily.Type) throws(ModelTypeConflict) -> ModelType {
        try registry.add(ModelType(family))
    }

    /// `model_type`.
    public var rawValue: String { family.modelType }
    public var description: String { rawValue }

    /// The name under which task models keep the base model (`base_model_prefix` in transformers).
    public var basePrefix: String { family.basePrefix }

    /// The transformers class name of this family's model with `suffix` (`ForMaskedLM` gives `BertForMaskedLM`).
    public func className(_ suffix: String) -> String { family.classPrefix + suffix }

    public static func == (a: ModelType, b: ModelType) -> Bool { a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}

/// A family registered under a `model_type` that another family already has.
public struct ModelTypeConflict: Error, Equatable, CustomStringConvertible {
    public let modelType: String

    public init(modelType: String) {
        self.modelType = modelType
    }

    public var description: String { "another model family is already registered as \"\(modelType)\"" }
}

/// The registered families, behind a lock (registering may happen on any thread).
private final class FamilyRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var registered: [ModelType]

    init(types: [ModelType]) {
        registered = types
    }

    var types: [ModelType] { lock.withLock { registered } }

    func add(_ type: ModelType) throws(ModelTypeConflict) -> ModelType {
        lock.lock()
        defer { lock.unlock() }
        if let existing = registered.first(where: { $0 == type }) {
            guard ObjectIdentifier(existing.family) == ObjectIdentifier(type.family) else {
                throw ModelTypeConflict(modelType: type.rawValue)
            }
            return existing
        }
        registered.append(type)
        return type
    }
}
