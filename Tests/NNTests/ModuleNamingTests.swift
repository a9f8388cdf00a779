import NN
import Testing
import Tensors

/// A container naming its layers as Hugging Face's encoders do (`encoder.layer.N`).
final class TwoLayerEncoder: Module {
    let layers: ModuleList<TransformerLayer>

    init(naming: TransformerLayerNaming) {
        let generator = RandomGenerator(seed: 1)
        layers = ModuleList((0..<2).map { _ in
            TransformerLayer(shape: smallLayerShape(), naming: naming, generator: generator)
        })
    }

    override var children: [(name: String, module: Module)] { [("encoder.layer", layers)] }
}

@Suite struct ModuleNamingTests {
    static let bertNames = [
        "attention.self.query.weight", "attention.self.query.bias",
        "attention.self.key.weight", "attention.self.key.bias",
        "attention.self.value.weight", "attention.self.value.bias",
        "attention.output.dense.weight", "attention.output.dense.bias",
        "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias",
        "intermediate.dense.weight", "intermediate.dense.bias",
        "output.dense.weight", "output.dense.bias",
        "output.LayerNorm.weight", "output.LayerNorm.bias",
    ]

    static let distilBertNames = [
        "attention.q_lin.weight", "attention.q_lin.bias",
        "attention.k_lin.weight", "attention.k_lin.bias",
        "attention.v_lin.weight", "attention.v_lin.bias",
        "attention.out_lin.weight", "attention.out_lin.bias",
        "sa_layer_norm.weight", "sa_layer_norm.bias",
        "ffn.lin1.weight", "ffn.lin1.bias",
        "ffn.lin2.weight", "ffn.lin2.bias",
        "output_layer_norm.weight", "output_layer_norm.bias",
    ]

    @Test func bertLayerNames() {
        let layer = TransformerLayer(shape: smallLayerShape(), naming: .bert, generator: RandomGenerator(seed: 2))
        #expect(layer.namedParameters().map(\.name) == Self.bertNames)
    }

    @Test func distilBertLayerNames() {
        let layer = TransformerLayer(shape: smallLayerShape(), naming: .distilBert, generator: RandomGenerator(seed: 3))
        #expect(layer.namedParameters().map(\.name) == Self.distilBertNames)
    }

    /// PyTorch's `[out, in]` layout.
    @Test func parameterShapes() {
        let layer = TransformerLayer(shape: smallLayerShape(), naming: .bert, generator: RandomGenerator(seed: 4))
        let shapes = Dictionary(uniqueKeysWithValues: layer.namedParameters().map { ($0.name, $0.tensor.shape) })
        #expect(shapes["attention.self.query.weight"] == [8, 8])
        #expect(shapes["attention.self.query.bias"] == [8])
        #expect(shapes["intermediate.dense.weight"] == [12, 8])
        #expect(shapes["intermediate.dense.bias"] == [12])
        #expect(shapes["output.dense.weight"] == [8, 12])
        #expect(shapes["output.LayerNorm.weight"] == [8])
    }

    @Test func moduleListNumbersItsItems() {
        let encoder = TwoLayerEncoder(naming: .bert)
        let names = encoder.namedParameters().map(\.name)
        #expect(names.count == 32)
        #expect(Array(names.prefix(16)) == Self.bertNames.map { "encoder.layer.0.\($0)" })
        #expect(Array(names.suffix(16)) == Self.bertNames.map { "encoder.layer.1.\($0)" })
        #expect(encoder.layers.namedParameters().first?.name == "0.attention.self.query.weight")
    }

    @Test func parameterLookupReturnsTheSharedTensor() {
        let encoder = TwoLayerEncoder(naming: .distilBert)
        #expect(encoder.parameter(named: "encoder.layer.1.ffn.lin1.weight") === encoder.layers.items[1].feedForward.intermediate.weight)
        #expect(encoder.parameter(named: "encoder.layer.1.attention.q_lin.bias") === encoder.layers.items[1].attention.query.bias)
        #expect(encoder.parameter(named: "encoder.layer.2.ffn.lin1.weight") == nil)
    }

    /// Transparent children (attention, feed-forward, dropouts) are listed as modules without adding a name part.
    @Test func namedModulesIncludeTransparentChildren() {
        let layer = TransformerLayer(shape: smallLayerShape(), naming: .bert, generator: RandomGenerator(seed: 5))
        let modules = layer.namedModules()
        #expect(modules.first?.name == "")
        #expect(modules.contains { $0.module === layer.attention })
        #expect(modules.contains { $0.name == "attention.self.query" && $0.module === layer.attention.query })
        #expect(modules.contains { $0.name == "output.LayerNorm" && $0.module === layer.outputLayerNorm })
        #expect(modules.filter { $0.module is Dropout }.count == 2)
    }
}
