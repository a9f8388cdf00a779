import Foundation
import JSON

/// Feed-forward activations, named as in transformers' `hidden_act` / `activation`.
public enum Activation: String, Sendable, CaseIterable {
    /// Exact GELU, x·Φ(x) (erf form).
    case gelu
    /// GELU's tanh approximation (the form of the original BERT TensorFlow code).
    case geluNew = "gelu_new"
    /// The same tanh approximation under PyTorch's name.
    case geluPytorchTanh = "gelu_pytorch_tanh"
    case relu
    /// x·sigmoid(x).
    case silu
}

/// How a sequence-classification head is trained (transformers' `problem_type`).
public enum ProblemType: String, Sendable, CaseIterable {
    case regression
    case singleLabelClassification = "single_label_classification"
    case multiLabelClassification = "multi_label_classification"
}

/// A `config.json` that cannot be read or written, with the file and the key at fault.
public struct ModelConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: URL
    public let fault: Fault

    public init(file: URL, fault: Fault) {
        self.file = file
        self.fault = fault
    }

    public var description: String { "\(file.path): \(fault)" }

    public enum Fault: Sendable, Equatable, CustomStringConvertible {
        /// The file system refused.
        case io(String)
        case invalidJSON(String)
        /// The document is valid JSON but not an object.
        case notAnObject
        case missingKey(String)
        case wrongType(key: String, expected: String, found: String)
        case invalidValue(key: String, reason: String)

        public var description: String {
            switch self {
            case .io(let message): "cannot access file: \(message)"
            case .invalidJSON(let message): "invalid JSON: \(message)"
            case .notAnObject: "expected a JSON object at the top level"
            case .missingKey(let key): "missing key \"\(key)\""
            case .wrongType(let key, let expected, let found): "key \"\(key)\": expected \(expected), found \(found)"
            case .invalidValue(let key, let reason): "key \"\(key)\": \(reason)"
            }
        }
    }
}

/// The architecture and head description of a model, read from and written to a Hugging Face `config.json` in its
/// family's vocabulary of keys (`hidden_size` / `dim`, `num_hidden_layers` / `n_layers`, ...; see ``ModelType``).
///
/// Keys this type does not interpret are kept in `extraKeys` and written back unchanged.
///
/// **Per-layer dimensions.** A pruned model has layers of different head counts and feed-forward widths. Its
/// `config.json` keeps the family's uniform keys (the shape it was pruned from) and adds our key
/// ``layerDimensionsKey``, one object per layer:
/// `"distill_layer_dimensions": [{"heads": 3, "head_size": 8, "intermediate_size": 40}, ...]`. A missing
/// `head_size` is the original one, `hidden_size / num_attention_heads`; we always write it. transformers
/// ignores unknown keys, so it reads the file but cannot load such a checkpoint (its shapes differ).
public struct ModelConfig: Sendable, Equatable {
    public var modelType: ModelType
    /// `hidden_size` / `dim`.
    public var hiddenSize: Int
    /// `num_hidden_layers` / `n_layers`.
    public var layerCount: Int
    /// `num_attention_heads` / `n_heads`; divides `hiddenSize`.
    public var headCount: Int
    /// Feed-forward width: `intermediate_size` / `hidden_dim`.
    public var intermediateSize: Int
    /// Each layer's heads, head size and feed-forward width when they differ between layers (a pruned model), one
    /// entry per layer; `nil` when every layer has `headCount` heads of `headSize` and `intermediateSize` features.
    public var layerDimensions: [LayerDimensions]?
    /// `hidden_act` / `activation`.
    public var activation: Activation
    /// `layer_norm_eps`; DistilBERT has no such key and always uses 1e-12.
    public var layerNormEps: Double
    /// `max_position_embeddings`.
    public var maxPositions: Int
    /// `type_vocab_size`; 0 for DistilBERT, which has no token type embeddings.
    public var typeVocabSize: Int
    /// `vocab_size`.
    public var vocabSize: Int
    /// `pad_token_id` (`nil` when the file says `null`).
    public var padTokenId: Int?
    /// `hidden_dropout_prob` / `dropout`.
    public var hiddenDropout: Double
    /// `attention_probs_dropout_prob` / `attention_dropout`.
    public var attentionDropout: Double
    /// Dropout before a classification head: `classifier_dropout` (BERT; `nil` means `hiddenDropout` is used) /
    /// `seq_classif_dropout` (DistilBERT).
    public var classifierDropout: Double?
    /// `qa_dropout` (DistilBERT only).
    public var qaDropout: Double
    /// `sinusoidal_pos_embds` (DistilBERT only): fixed sinusoidal position embeddings.
    public var sinusoidalPositions: Bool
    /// `initializer_range`: standard deviation of the initial weights.
    public var initializerRange: Double
    /// `tie_word_embeddings` (DistilBERT's legacy `tie_weights_` is read too).
    public var tieWordEmbeddings: Bool
    /// `id2label`: class names of a classification head.
    public var id2label: [Int: String]
    public var problemType: ProblemType?
    /// `architectures`, e.g. `["BertForSequenceClassification"]`.
    public var architectures: [String]
    /// `dtype` (or the older `torch_dtype`), e.g. `"float32"`.
    public var dtype: String?
    /// Keys not interpreted above, kept verbatim.
    public var extraKeys: [String: JSONValue]

    /// The `label2id` map: `id2label` inverted.
    public var label2id: [String: Int] {
        Dictionary(id2label.map { ($1, $0) }, uniquingKeysWith: min)  // a repeated label maps to its first id
    }

    /// transformers' default labels when a config names none: two classes, `LABEL_0` and `LABEL_1`.
    public static let defaultLabels: [Int: String] = [0: "LABEL_0", 1: "LABEL_1"]

    /// A config with the given dimensions; every other field takes the default of transformers' config class for
    /// the family (dropouts 0.1, GELU, 512 positions, initializer range 0.02, pad id 0, two labels;
    /// BERT: 2 token types, `classifier_dropout` unset; DistilBERT: `seq_classif_dropout` 0.2, `qa_dropout` 0.1).
    public init(
        modelType: ModelType, hiddenSize: Int, layerCount: Int, headCount: Int, intermediateSize: Int,
        vocabSize: Int
    ) {
        self.modelType = modelType
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.intermediateSize = intermediateSize
        self.vocabSize = vocabSize
        layerDimensions = nil
        activation = .gelu
        layerNormEps = 1e-12
        maxPositions = 512
        typeVocabSize = 0
        padTokenId = 0
        hiddenDropout = 0.1
        attentionDropout = 0.1
        classifierDropout = nil
        qaDropout = 0.1
        sinusoidalPositions = false
        initializerRange = 0.02
        tieWordEmbeddings = true
        id2label = Self.defaultLabels
        problemType = nil
        architectures = []
        dtype = nil
        extraKeys = [:]
        modelType.family.applyDefaults(to: &self)
    }

    /// The width of one attention head in the uniform shape: `hiddenSize / headCount`.
    public var headSize: Int { hiddenSize / max(headCount, 1) }

    /// The heads, head size and feed-forward width of layer `index`.
    public func dimensions(ofLayer index: Int) -> LayerDimensions {
        if let layerDimensions, layerDimensions.indices.contains(index) { return layerDimensions[index] }
        return LayerDimensions(headCount: headCount, headSize: headSize, intermediateSize: intermediateSize)
    }

    /// Our `config.json` key for ``layerDimensions``.
    public static let layerDimensionsKey = "distill_layer_dimensions"

    /// Reads `config.json` at `url`. The dimension keys (hidden size, layer count, head count, feed-forward
    /// width, vocabulary size) and `model_type` are required; every other key falls back to transformers'
    /// default (see `init(modelType:hiddenSize:layerCount:headCount:intermediateSize:vocabSize:)`).
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ModelConfigError(file: url, fault: .io(error.localizedDescription))
        }
        let root: JSONValue
        do {
            root = try JSONValue.parse(data, skippingByteOrderMark: true, acceptingNonFiniteNumbers: true)
        } catch {
            throw ModelConfigError(file: url, fault: .invalidJSON(error.description))
        }
        guard let members = root.members else { throw ModelConfigError(file: url, fault: .notAnObject) }
        // The parser refuses duplicate keys, so keeping the first is only a formality.
        let values = Dictionary(members.map { ($0.key, $0.value) }) { first, _ in first }
        var reader = ConfigReader(file: url, values: values)
        try self.init(reading: &reader)
    }

    private init(reading reader: inout ConfigReader) throws {
        let typeName: String = try reader.required("model_type", as: String.self)
        guard let type = ModelType(rawValue: typeName) else {
            throw reader.invalid("model_type", "unsupported model type \"\(typeName.errorExcerpt())\" (supported: "
                + ModelType.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        self = try type.family.readConfig(&reader)
        initializerRange = try reader.finite("initializer_range") ?? initializerRange
        if reader.contains("pad_token_id") { padTokenId = try reader.optional("pad_token_id", as: Int.self) }
        tieWordEmbeddings = try reader.optional("tie_word_embeddings", as: Bool.self) ?? tieWordEmbeddings

        id2label = try reader.labels() ?? id2label
        if let name = try reader.optional("problem_type", as: String.self) {
            guard let problemType = ProblemType(rawValue: name) else {
                throw reader.invalid("problem_type", "unsupported problem type \"\(name.errorExcerpt())\"")
            }
            self.problemType = problemType
        }
        architectures = try reader.optional("architectures", as: [String].self) ?? []
        let newDType = try reader.optional("dtype", as: String.self)
        let oldDType = try reader.optional("torch_dtype", as: String.self)
        dtype = newDType ?? oldDType
        layerDimensions = try reader.layerDimensions(Self.layerDimensionsKey, layerCount: layerCount,
                                                     headSize: headSize)
        extraKeys = reader.remaining
    }

    /// Writes the config as `config.json`-style JSON (keys sorted, two-space indent, as transformers writes
    /// it) in the vocabulary of `modelType`, with `extraKeys` unchanged. The file is replaced atomically.
    /// `id2label`/`label2id` are left out when they are the default two labels, as transformers does.
    public func write(to url: URL) throws {
        do {
            let object = JSONValue.object(jsonObject().map { JSONValue.Member(key: $0, value: $1) })
            try Data((object.serialized(.python) + "\n").utf8).write(to: url, options: .atomic)
        } catch {
            throw ModelConfigError(file: url, fault: .io(error.localizedDescription))
        }
    }

    /// The same model described in another family's vocabulary. Numbers are kept; what one family lacks is set to
    /// the other's convention (see each family's `adopt`): BERT gets 2 token types (DistilBERT has none),
    /// DistilBERT gets 0 and a classifier dropout equal to the effective BERT one. A BERT `layerNormEps` other
    /// than 1e-12 cannot be expressed in a DistilBERT file. Architectures of the family are renamed
    /// (`BertForSequenceClassification` <-> `DistilBertForSequenceClassification`).
    public func converted(to type: ModelType) -> ModelConfig {
        guard type != modelType else { return self }
        var result = self
        result.modelType = type
        result.architectures = architectures.map { name in
            let from = modelType.className("")
            guard name.hasPrefix(from), Self.sharedHeads.contains(String(name.dropFirst(from.count))) else { return name }
            return type.className(String(name.dropFirst(from.count)))
        }
        type.family.adopt(&result)
        return result
    }

    /// The class-name suffixes whose heads every encoder family has.
    private static let sharedHeads = [
        "Model", "ForMaskedLM", "ForSequenceClassification", "ForQuestionAnswering", "ForTokenClassification",
        "ForMultipleChoice",
    ]

    /// All keys of this config in the vocabulary of `modelType`, over `extraKeys`.
    private func jsonObject() -> [String: JSONValue] {
        var object = extraKeys
        object["model_type"] = .string(modelType.rawValue)
        modelType.family.writeConfig(self, into: &object)
        object["vocab_size"] = JSONValue(vocabSize)
        object["pad_token_id"] = padTokenId.map { JSONValue($0) } ?? .null
        object["initializer_range"] = .pythonNumber(initializerRange)
        object["tie_word_embeddings"] = .bool(tieWordEmbeddings)
        if id2label != Self.defaultLabels {
            object["id2label"] = .object(id2label.map { JSONValue.Member(key: String($0), value: .string($1)) })
            object["label2id"] = .object(label2id.map { JSONValue.Member(key: $0, value: JSONValue($1)) })
        }
        if let problemType { object["problem_type"] = .string(problemType.rawValue) }
        if !architectures.isEmpty { object["architectures"] = .array(architectures.map(JSONValue.string)) }
        if let dtype { object["dtype"] = .string(dtype) }
        if let layerDimensions { object[Self.layerDimensionsKey] = .array(layerDimensions.map(\.configValue)) }
        return object
    }
}

/// One layer's attention heads, head width and feed-forward width (pruning removes heads and neurons per layer).
public struct LayerDimensions: Sendable, Equatable {
    public var headCount: Int
    /// The width of one head (the query, key and value projections are `headCount · headSize` wide).
    public var headSize: Int
    public var intermediateSize: Int

    public init(headCount: Int, headSize: Int, intermediateSize: Int) {
        self.headCount = headCount
        self.headSize = headSize
        self.intermediateSize = intermediateSize
    }

    /// `{"heads": …, "head_size": …, "intermediate_size": …}`.
    fileprivate var configValue: JSONValue {
        ["heads": JSONValue(headCount), "head_size": JSONValue(headSize),
         "intermediate_size": JSONValue(intermediateSize)]
    }
}

/// The names a family gives the dimension and dropout keys every encoder family has, and how they are read
/// and written (`hidden_size` / `dim`, ...).
public struct ConfigKeys: Sendable {
    public let hiddenSize, layerCount, headCount, intermediateSize, activation: String
    public let hiddenDropout, attentionDropout, classifierDropout, maxPositions: String

    public init(hiddenSize: String, layerCount: String, headCount: String, intermediateSize: String,
                activation: String, hiddenDropout: String, attentionDropout: String, classifierDropout: String,
                maxPositions: String) {
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.intermediateSize = intermediateSize
        self.activation = activation
        self.hiddenDropout = hiddenDropout
        self.attentionDropout = attentionDropout
        self.classifierDropout = classifierDropout
        self.maxPositions = maxPositions
    }

    /// A config of `type` with these keys read: the dimensions are required, the rest fall back to the
    /// family's defaults.
    public func read(_ reader: inout ConfigReader, as type: ModelType) throws -> ModelConfig {
        var config = ModelConfig(
            modelType: type,
            hiddenSize: try reader.positive(hiddenSize),
            layerCount: try reader.positive(layerCount),
            headCount: try reader.positive(headCount),
            intermediateSize: try reader.positive(intermediateSize),
            vocabSize: try reader.positive("vocab_size"))
        guard config.hiddenSize % config.headCount == 0 else {
            throw reader.invalid(headCount, "\(config.headCount) heads do not divide the hidden size \(config.hiddenSize)")
        }
        let activationName = try reader.optional(activation, as: String.self) ?? config.activation.rawValue
        guard let value = Activation(rawValue: activationName) else {
            throw reader.invalid(activation, "unsupported activation \"\(activationName.errorExcerpt())\" (supported: "
                + Activation.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        config.activation = value
        config.maxPositions = try reader.positive(maxPositions, default: config.maxPositions)
        config.hiddenDropout = try reader.probability(hiddenDropout) ?? config.hiddenDropout
        config.attentionDropout = try reader.probability(attentionDropout) ?? config.attentionDropout
        config.classifierDropout = try reader.probability(classifierDropout) ?? config.classifierDropout
        return config
    }

    /// Writes these keys of `config` into `object`.
    public func write(_ config: ModelConfig, into object: inout [String: JSONValue]) {
        object[hiddenSize] = JSONValue(config.hiddenSize)
        object[layerCount] = JSONValue(config.layerCount)
        object[headCount] = JSONValue(config.headCount)
        object[intermediateSize] = JSONValue(config.intermediateSize)
        object[activation] = .string(config.activation.rawValue)
        object[hiddenDropout] = .pythonNumber(config.hiddenDropout)
        object[attentionDropout] = .pythonNumber(config.attentionDropout)
        object[classifierDropout] = config.classifierDropout.map(JSONValue.pythonNumber) ?? .null
        object[maxPositions] = JSONValue(config.maxPositions)
    }
}

/// Takes typed values out of a parsed config; what is never taken ends up in `remaining`. Its errors name the
/// file and the key.
public struct ConfigReader {
    let file: URL
    private(set) var remaining: [String: JSONValue]

    init(file: URL, values: [String: JSONValue]) {
        self.file = file
        remaining = values
    }

    /// The error for a value of `key` that is of the right type but not acceptable, for `reason`.
    public func invalid(_ key: String, _ reason: String) -> ModelConfigError {
        ModelConfigError(file: file, fault: .invalidValue(key: key, reason: reason))
    }

    /// Whether `key` is present and not yet taken.
    public func contains(_ key: String) -> Bool {
        remaining[key] != nil
    }

    /// The value of `key` (removed from `remaining`), `nil` if absent or JSON `null`.
    public mutating func optional<Value: JSONReadable>(_ key: String, as: Value.Type) throws -> Value? {
        guard let value = remaining.removeValue(forKey: key), value != .null else { return nil }
        guard let converted = Value(json: value) else {
            throw ModelConfigError(
                file: file, fault: .wrongType(key: key, expected: Value.expectedKind, found: value.described))
        }
        return converted
    }

    /// The value of `key`, which must be present and not `null`.
    public mutating func required<Value: JSONReadable>(_ key: String, as type: Value.Type) throws -> Value {
        guard contains(key) else { throw ModelConfigError(file: file, fault: .missingKey(key)) }
        guard let value = try optional(key, as: type) else {
            throw ModelConfigError(file: file, fault: .wrongType(key: key, expected: Value.expectedKind, found: "null"))
        }
        return value
    }

    /// A required integer >= 1, or `default` when the key is absent (and a default is given).
    public mutating func positive(_ key: String, default fallback: Int? = nil) throws -> Int {
        let value = if let fallback, !contains(key) { fallback } else { try required(key, as: Int.self) }
        guard value > 0 else { throw invalid(key, "must be positive, found \(value)") }
        return value
    }

    /// A finite number, `nil` if absent or `null`. A literal beyond `Double`'s range (`1e400`) is refused: it would
    /// be written back as `Infinity`, which JSON readers (ours included) refuse.
    public mutating func finite(_ key: String) throws -> Double? {
        guard let value = try optional(key, as: Double.self) else { return nil }
        guard value.isFinite else { throw invalid(key, "must be a finite number, found \(value)") }
        return value
    }

    /// A number in [0, 1] (a dropout probability), `nil` if absent or `null`.
    public mutating func probability(_ key: String) throws -> Double? {
        guard let value = try optional(key, as: Double.self) else { return nil }
        guard (0 ... 1).contains(value) else { throw invalid(key, "must be between 0 and 1, found \(value)") }
        return value
    }

    /// Per-layer dimensions from `key` (see ``ModelConfig``), `nil` if absent: one object per layer with positive
    /// integers `heads`, `intermediate_size` and optionally `head_size` (else `headSize`, the original one).
    mutating func layerDimensions(_ key: String, layerCount: Int, headSize: Int) throws -> [LayerDimensions]? {
        guard let value = remaining.removeValue(forKey: key), value != .null else { return nil }
        guard case .array(let entries) = value else {
            throw ModelConfigError(
                file: file, fault: .wrongType(key: key, expected: "an array", found: value.described))
        }
        guard entries.count == layerCount else {
            throw invalid(key, "\(entries.count) entries for \(layerCount) layers")
        }
        return try entries.enumerated().map { index, entry in
            guard entry.members != nil else { throw invalid(key, "entry \(index) is not an object") }
            func value(_ name: String, default fallback: Int? = nil) throws -> Int {
                if let fallback, entry[name] == nil { return fallback }
                guard let value = entry[name]?.integerValue, value > 0 else {
                    throw invalid(key, "entry \(index): \"\(name)\" must be a positive integer")
                }
                return value
            }
            return LayerDimensions(headCount: try value("heads"), headSize: try value("head_size", default: headSize),
                                   intermediateSize: try value("intermediate_size"))
        }
    }

    /// Class names from `id2label` (string keys holding integers) or else `label2id`, or `num_labels` generic
    /// names; `nil` if none of these keys is present. All three keys are consumed.
    mutating func labels() throws -> [Int: String]? {
        let byId = try optional("id2label", as: [String: JSONValue].self)
        let byLabel = try optional("label2id", as: [String: JSONValue].self)
        let count = try optional("num_labels", as: Int.self)
        if let byId {
            var labels: [Int: String] = [:]
            for (key, value) in byId {
                // "1" and "01" are the same id.
                guard let id = Int(key), let label = value.stringValue, labels.updateValue(label, forKey: id) == nil
                else {
                    throw invalid(
                        "id2label",
                        "entry \"\(key.errorExcerpt())\": \(value.described) is not a distinct integer id with a string label")
                }
            }
            return labels
        }
        if let byLabel {
            var labels: [Int: String] = [:]
            for (label, value) in byLabel {
                guard let id = value.integerValue, labels.updateValue(label, forKey: id) == nil else {
                    throw invalid(
                        "label2id", "entry \"\(label.errorExcerpt())\": \(value.described) is not a distinct integer id")
                }
            }
            return labels
        }
        if let count {
            guard count > 0 else { throw invalid("num_labels", "must be positive, found \(count)") }
            // One name per label is made here and one head row per label later: a count this large is a broken
            // file, not a task (the largest label sets in use have tens of thousands of classes).
            guard count <= ConfigReader.maximumLabelCount else {
                throw invalid("num_labels", "\(count) labels is more than the \(ConfigReader.maximumLabelCount) supported")
            }
            return Dictionary(uniqueKeysWithValues: (0 ..< count).map { ($0, "LABEL_\($0)") })
        }
        return nil
    }

    /// The most labels `num_labels` may declare.
    public static let maximumLabelCount = 1_000_000
}

extension JSONValue {
    /// `value` as Python's `json.dumps` writes a float, as transformers writes `config.json`: the shortest
    /// round-trip form when finite (`0.1`, `1e-12`, `1.0`), else `NaN`, `Infinity` or `-Infinity`, which are not
    /// JSON but are what Python writes and reads back (`JSONValue(Double)` would write `null`, which reads back
    /// as a missing value).
    public static func pythonNumber(_ value: Double) -> JSONValue {
        if value.isFinite { return JSONValue(value) }
        return .number(value.isNaN ? "NaN" : value < 0 ? "-Infinity" : "Infinity")
    }

    /// The kind and, for a number, string or boolean, the value, for error messages (`a string ("32")`).
    fileprivate var described: String {
        switch self {
        case .number, .string, .bool: "\(kindName) (\(summary))"
        default: kindName
        }
    }
}
