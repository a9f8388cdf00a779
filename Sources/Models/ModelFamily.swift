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
/// - Its weight names: the modules it builds carry the checkpoint's names (see `Module`), and
///   ``sanitize(checkpointName:)`` renames what older checkpoints spell differently or drops what is not a
///   parameter (the style of mlx-swift-lm's `sanitize(weights:)`).
/// - How it builds its layers (``makeLayer(shape:generator:)``, under ``layerPrefix``) and the parts of the
///   task heads that differ (``hasPooler``, ``usesPreClassifier``, ``maskedLanguageModelNames``, ...).
///
/// **Registering.** A family is registered by adding it to ``ModelType/allCases``; nothing else in the shared
/// code names a family. ``ModelType`` is the handle the rest of the toolkit holds (`ModelType.bert`).
///
/// **The next family, GPT-2,** fits these seams: its keys (`n_embd`, `n_layer`, `n_head`, `n_inner` (null: 4 ×
/// `n_embd`), `activation_function`, `resid_pdrop`, `attn_pdrop`, `n_positions`, `layer_norm_epsilon`) are read
/// by its `readConfig`; its `sanitize` drops the float causal-mask buffers old checkpoints store
/// (`h.N.attn.bias`, `h.N.attn.masked_bias`); its pre-LN block (LN → attention → residual, LN → MLP →
/// residual) is a `TransformerBlock` of its own, whose attention holds the fused `c_attn`
/// (split into queries, keys and values after one projection) and adds the causal mask to the padding mask
/// itself; `Conv1D` stores its weights `[in, out]`, the transpose of `Linear`'s, so its `sanitize` will also
/// have to say which tensors to transpose on loading and saving (a flag beside the rename: the one addition to
/// the loader); its classes (`GPT2Model`, `GPT2LMHeadModel`) come from `classPrefix` `GPT2` and `basePrefix`
/// `transformer`. Beyond registering, it brings types of its own rather than branches here: its embeddings (`wte`,
/// `wpe`, no LayerNorm) and final `ln_f` make a base model beside ``TransformerEncoder``, and its tied LM head a
/// head beside ``MaskedLanguageModel``. The members below that only the encoder heads read (from `makeLayer` on)
/// then move to a refinement, `EncoderFamily`, which those heads require and `load` checks for, so that a
/// decoder family is not asked for a pooler.
protocol ModelFamily: Sendable {
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

    /// The parameter name a checkpoint tensor is loaded into, or `nil` for a tensor that is not a parameter.
    static func sanitize(checkpointName: String) -> String?

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
    static func sanitize(checkpointName name: String) -> String? {
        for (old, new) in [(".gamma", ".weight"), (".beta", ".bias")] where name.hasSuffix(old) {
            return name.dropLast(old.count) + new
        }
        return name
    }
}

/// Where a masked-LM head keeps its weights.
struct MaskedLanguageModelNames {
    var transform, layerNorm, decoderWeight, decoderBias: String
}

/// A registered model family, as `config.json`'s `model_type` names it (`ModelType.bert`, `.distilbert`).
public struct ModelType: RawRepresentable, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    let family: any ModelFamily.Type

    init(_ family: any ModelFamily.Type) {
        self.family = family
    }

    /// The registered family whose `model_type` is `rawValue`, if any.
    public init?(rawValue: String) {
        guard let known = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = known
    }

    /// The registry: every family the toolkit reads and writes. Adding a family is adding it here.
    public static let allCases: [ModelType] = [.bert, .distilbert]

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
