import NN
import Tensors

/// Which attention heads and feed-forward neurons one layer keeps, as ascending indices into the layer's current
/// heads and neurons.
public struct LayerSelection: Sendable, Equatable {
    public var heads: [Int]
    public var neurons: [Int]

    public init(heads: [Int], neurons: [Int]) {
        self.heads = heads
        self.neurons = neurons
    }

    /// Every head and neuron of a layer of `dimensions` (pruning nothing).
    public init(keepingAllOf dimensions: LayerDimensions) {
        self.init(heads: Array(0..<dimensions.headCount), neurons: Array(0..<dimensions.intermediateSize))
    }
}

/// Why a model cannot be pruned or filled as asked.
public enum PruningError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The family's layers do not expose their heads and neurons (`PrunableBlock`).
    case notPrunable(modelType: String)
    /// One selection per layer is needed.
    case selectionCount(layers: Int, selections: Int)
    /// A layer's selection is empty, out of range, repeated or not ascending.
    case invalidSelection(layer: Int, reason: String)
    /// The zero-filled form needs every layer's heads of the uniform head size and no more heads or neurons
    /// than the uniform shape.
    case notFillable(layer: Int, reason: String)

    public var description: String {
        switch self {
        case .notPrunable(let type): "the layers of a \(type) model cannot be pruned (they are not PrunableBlock)"
        case let .selectionCount(layers, selections): "\(selections) layer selection(s) for \(layers) layers"
        case let .invalidSelection(layer, reason): "layer \(layer): \(reason)"
        case let .notFillable(layer, reason): "layer \(layer) cannot be stored in the uniform shape: \(reason)"
        }
    }
}

extension PretrainedModel {
    /// The encoder inside this model (the model itself for a base model).
    public var encoderModule: TransformerEncoder? {
        namedModules().lazy.compactMap { $0.module as? TransformerEncoder }.first
    }

    /// A copy of this model with only the selected heads and neurons of each layer: the removed heads leave the
    /// query, key, value and attention output projections, the removed neurons both feed-forward matrices, and
    /// the config records each layer's new shape (``ModelConfig/layerDimensions``). Every other weight is copied.
    /// Keeping everything gives a model that computes exactly what this one does.
    public func pruned(to selections: [LayerSelection]) throws(PruningError) -> Self {
        let layers = try prunableLayers()
        guard selections.count == layers.count else {
            throw .selectionCount(layers: layers.count, selections: selections.count)
        }
        for (index, (selection, layer)) in zip(selections, layers).enumerated() {
            try Self.check(selection.heads, of: layer.attention.headCount, "heads", layer: index)
            try Self.check(selection.neurons, of: layer.feedForward.intermediate.outputSize, "neurons", layer: index)
        }
        var newConfig = config
        newConfig.layerDimensions = zip(selections, layers).map { selection, layer in
            LayerDimensions(headCount: selection.heads.count, headSize: layer.attention.headSize,
                            intermediateSize: selection.neurons.count)
        }
        return try rebuilt(config: newConfig, selections: selections)
    }

    /// This model in the uniform shape of its config (`num_attention_heads` heads, `intermediate_size` neurons
    /// in every layer, no per-layer dimensions), the removed heads and neurons present with zero weights and
    /// biases: transformers loads it as it is and it computes what this model does (a zero head attends to
    /// nothing and a zero neuron is GELU(0) = 0 times nothing).
    public func filled() throws(PruningError) -> Self {
        let layers = try prunableLayers()
        for (index, layer) in layers.enumerated() {
            if layer.attention.headSize != config.headSize {
                throw .notFillable(layer: index, reason: "head size \(layer.attention.headSize), uniform \(config.headSize)")
            }
            if layer.attention.headCount > config.headCount || layer.feedForward.intermediate.outputSize > config.intermediateSize {
                throw .notFillable(layer: index, reason: "more heads or neurons than the uniform shape")
            }
        }
        var uniform = config
        uniform.layerDimensions = nil
        return try rebuilt(config: uniform, selections: layers.map { layer in
            LayerSelection(heads: Array(0..<layer.attention.headCount),
                           neurons: Array(0..<layer.feedForward.intermediate.outputSize))
        })
    }

    /// The encoder's layers, each able to be pruned.
    func prunableLayers() throws(PruningError) -> [any PrunableBlock] {
        let blocks = encoderModule?.layers.items ?? []
        let layers = blocks.compactMap { $0 as? any PrunableBlock }
        guard layers.count == blocks.count, !layers.isEmpty else {
            throw .notPrunable(modelType: config.modelType.rawValue)
        }
        return layers
    }

    /// A model of `config` with this model's weights: equal names and shapes copied, then each layer's selected
    /// heads and neurons.
    private func rebuilt(config: ModelConfig, selections: [LayerSelection]) throws(PruningError) -> Self {
        let model = Self(config: config, generator: RandomGenerator(seed: 0))
        model.setTraining(isTraining)
        let sources = Dictionary(namedParameters().map { ($0.name, $0.tensor) }) { first, _ in first }
        for (name, tensor) in model.namedParameters() {
            if let source = sources[name], source.shape == tensor.shape { tensor.copy(from: source) }
        }
        for (selection, (target, source)) in zip(selections, zip(try model.prunableLayers(), try prunableLayers())) {
            target.copyParts(heads: selection.heads, neurons: selection.neurons, from: source)
        }
        return model
    }

    private static func check(_ indices: [Int], of count: Int, _ what: String, layer: Int) throws(PruningError) {
        guard !indices.isEmpty else { throw .invalidSelection(layer: layer, reason: "keeps no \(what)") }
        guard indices.allSatisfy({ (0..<count).contains($0) }) else {
            throw .invalidSelection(layer: layer, reason: "\(what) \(indices) outside 0..<\(count)")
        }
        guard zip(indices, indices.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .invalidSelection(layer: layer, reason: "\(what) \(indices) are not ascending and distinct")
        }
    }
}
