import Foundation
import Models
import NN
import Tensors
import TestSupport
import Testing

/// Physical pruning: removed heads and neurons leave the weight matrices, and the smaller model computes what the
/// original computes with those parts gated off; the zero-filled full shape computes the same again.
@Suite struct ModelPruningTests {
    /// A randomised classifier of `type` in evaluation mode.
    private func model(_ type: ModelType) -> SequenceClassifier {
        let model = SequenceClassifier(config: tinyConfig(type), generator: RandomGenerator(seed: 40))
        randomizeParameters(model, seed: 41)
        model.setTraining(false)
        return model
    }

    /// Layer 0 keeps head 1 and 21 of 32 neurons, layer 1 both heads and every third neuron (11).
    private let selections = [
        LayerSelection(heads: [1], neurons: (0..<32).filter { $0 % 3 != 1 }),
        LayerSelection(heads: [0, 1], neurons: Array(stride(from: 1, to: 32, by: 3))),
    ]

    private func logits(_ model: SequenceClassifier) -> Tensor {
        withoutGrad { model(tinyInput).logits }
    }

    @Test(arguments: [ModelType.bert, .distilbert])
    func keepingEverythingComputesExactlyTheSame(type: ModelType) throws {
        let original = model(type)
        let pruned = try original.pruned(to: (0..<2).map { LayerSelection(keepingAllOf: original.config.dimensions(ofLayer: $0)) })
        #expect(logits(pruned).scalars == logits(original).scalars)
        #expect(pruned.parameterCount == original.parameterCount)
    }

    /// Gates of zero on the removed heads and neurons of the original give the pruned model's outputs.
    @Test(arguments: [ModelType.bert, .distilbert])
    func removingPartsEqualsGatingThemToZero(type: ModelType) throws {
        let original = model(type)
        let pruned = try original.pruned(to: selections)
        #expect(pruned.config.layerDimensions == [LayerDimensions(headCount: 1, headSize: 8, intermediateSize: 21),
                                                  LayerDimensions(headCount: 2, headSize: 8, intermediateSize: 11)])
        #expect(pruned.parameterCount < original.parameterCount)
        for (layer, selection) in zip(original.encoder.layers.items.compactMap { $0 as? any PrunableBlock }, selections) {
            layer.attention.headGate = Tensor(shape: [1, 2], values: (0..<2).map { selection.heads.contains($0) ? 1 : 0 })
            layer.feedForward.neuronGate = Tensor(shape: [1, 32], values: (0..<32).map { selection.neurons.contains($0) ? 1 : 0 })
        }
        // The same sums in another order (fewer terms): float rounding only.
        expectClose(logits(pruned), logits(original), tolerance: 1e-5, "pruned vs gated")
    }

    /// The zero-filled form has the uniform shape, no per-layer dimensions, and the compact model's outputs; both
    /// forms save and load back.
    @Test(arguments: [ModelType.bert, .distilbert])
    func filledFormComputesWhatTheCompactOneDoes(type: ModelType) throws {
        let compact = try model(type).pruned(to: selections)
        let filled = try compact.filled()
        #expect(filled.config.layerDimensions == nil)
        #expect(filled.namedParameters().map(\.tensor.shape) == model(type).namedParameters().map(\.tensor.shape))
        // Zero heads and neurons add exact zeros; the matmuls differ in length only: float rounding.
        expectClose(logits(filled), logits(compact), tolerance: 1e-5, "filled vs compact")
        try withScratchDirectory { directory in
            for (name, model) in [("compact", compact), ("filled", filled)] {
                try model.save(to: directory.appendingPathComponent(name))
                let (loaded, _) = try SequenceClassifier.load(from: directory.appendingPathComponent(name), strict: true)
                loaded.setTraining(false)
                #expect(loaded.config.layerDimensions == model.config.layerDimensions)
                #expect(logits(loaded).scalars == logits(model).scalars, "\(name)")
            }
        }
    }

    @Test func badSelectionsAreRefused() throws {
        let original = model(.bert)
        #expect(throws: PruningError.selectionCount(layers: 2, selections: 1)) { try original.pruned(to: [selections[0]]) }
        #expect(throws: PruningError.invalidSelection(layer: 0, reason: "keeps no heads")) {
            try original.pruned(to: [LayerSelection(heads: [], neurons: [0]), selections[1]])
        }
        #expect(throws: PruningError.invalidSelection(layer: 1, reason: "neurons [3, 40] outside 0..<32")) {
            try original.pruned(to: [selections[0], LayerSelection(heads: [0], neurons: [3, 40])])
        }
        #expect(throws: PruningError.invalidSelection(layer: 1, reason: "heads [1, 0] are not ascending and distinct")) {
            try original.pruned(to: [selections[0], LayerSelection(heads: [1, 0], neurons: [3])])
        }
    }

    /// A compact checkpoint whose config misstates its per-layer dimensions: the error names the key; one that lost
    /// them is refused naming the first tensor of the wrong shape, as any uniform config is.
    @Test func configThatDisagreesWithTheWeightsNamesTheKey() throws {
        let compact = try model(.bert).pruned(to: selections)
        try withScratchDirectory { directory in
            try compact.save(to: directory)
            let file = directory.appendingPathComponent("config.json")
            var config = compact.config
            config.layerDimensions?[1].intermediateSize = 12
            try config.write(to: file)
            do {
                _ = try SequenceClassifier.load(from: directory, strict: true)
                Issue.record("loaded a config that disagrees with the weights")
            } catch let error as ModelConfigError {
                guard case .invalidValue(let key, let reason) = error.fault else { throw error }
                #expect(key == ModelConfig.layerDimensionsKey)
                #expect(reason.contains("disagrees with the weights: for layer 1 it gives 2 head(s) of 8 and 12 feed-forward neurons"),
                        "\(reason)")
                #expect(reason.contains("encoder.layer.1.intermediate.dense.weight' should have shape [12, 16], but the checkpoint's has [11, 16]"),
                        "\(reason)")
            }
            config.layerDimensions = nil
            try config.write(to: file)
            #expect(throws: ModelWeightsError.self) { try SequenceClassifier.load(from: directory, strict: true) }
        }
    }
}
