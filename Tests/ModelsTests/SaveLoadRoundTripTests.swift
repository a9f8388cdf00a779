import Foundation
import Models
import NN
import SafeTensors
import Tensors
import TestSupport
import Testing

/// Saving any head in either layout and loading it back gives the same weights, the same outputs and a
/// `config.json` that names the head.
@Suite struct SaveLoadRoundTripTests {
    /// Saves a randomised `M`, loads it strictly with a different initialisation, and compares every parameter and
    /// the outputs `run` gives (bit for bit: the same weights and the same kernels).
    private func roundTrip<M: PretrainedModel>(_: M.Type, _ type: ModelType, architecture: String,
                                               config: ModelConfig? = nil, run: (M) -> [Tensor]) throws {
        let original = M(config: config ?? tinyConfig(type), generator: RandomGenerator(seed: 10))
        randomizeParameters(original, seed: 11)
        try withScratchDirectory { directory in
            try original.save(to: directory)
            let (loaded, report) = try M.load(from: directory, strict: true, generator: RandomGenerator(seed: 12))
            #expect(report.missing.isEmpty && report.unexpected.isEmpty, "\(report)")
            #expect(loaded.config == {
                var config = original.config
                config.architectures = [architecture]
                return config
            }())

            let expectedParameters = original.namedParameters()
            let loadedParameters = loaded.namedParameters()
            #expect(loadedParameters.map(\.name) == expectedParameters.map(\.name))
            for ((name, expected), (_, actual)) in zip(expectedParameters, loadedParameters) {
                #expect(actual.scalars == expected.scalars, "\(name)")
            }

            original.setTraining(false)
            loaded.setTraining(false)
            let (expectedOutputs, actualOutputs) = withoutGrad { (run(original), run(loaded)) }
            #expect(expectedOutputs.count == actualOutputs.count)
            for (expected, actual) in zip(expectedOutputs, actualOutputs) {
                #expect(actual.shape == expected.shape)
                #expect(actual.scalars == expected.scalars)
            }

            let json = try JSONSerialization.jsonObject(
                with: Data(contentsOf: directory.appendingPathComponent("config.json"))) as? [String: Any]
            #expect(json?["architectures"] as? [String] == [architecture])
            #expect(json?["model_type"] as? String == type.rawValue)
        }
    }

    private static func family(_ type: ModelType) -> String { type == .bert ? "Bert" : "DistilBert" }

    @Test(arguments: [ModelType.bert, .distilbert])
    func sequenceClassifier(type: ModelType) throws {
        try roundTrip(SequenceClassifier.self, type, architecture: Self.family(type) + "ForSequenceClassification") {
            let (logits, encoder) = $0(tinyInput)
            return [logits, encoder.lastHidden]
        }
    }

    @Test(arguments: [ModelType.bert, .distilbert])
    func maskedLanguageModel(type: ModelType) throws {
        try roundTrip(MaskedLanguageModel.self, type, architecture: Self.family(type) + "ForMaskedLM") { [$0(tinyInput).logits] }
    }

    @Test(arguments: [ModelType.bert, .distilbert])
    func questionAnswering(type: ModelType) throws {
        try roundTrip(QuestionAnswering.self, type, architecture: Self.family(type) + "ForQuestionAnswering") {
            let (start, end, _) = $0(tinyInput)
            return [start, end]
        }
    }

    @Test(arguments: [ModelType.bert, .distilbert])
    func encoder(type: ModelType) throws {
        try roundTrip(TransformerEncoder.self, type, architecture: Self.family(type) + "Model") {
            let output = $0(tinyInput, options: .all)
            return output.hiddenStates + output.attentionProbabilities + (output.pooled.map { [$0] } ?? [])
        }
    }

    /// A pruned model: layer 0 keeps one head of the original size (16 / 2 = 8) and 20 features, layer 1 has three
    /// heads of an explicit size 4 and 7 features. It runs, its weights have those shapes, and save -> load gives
    /// the same config (per-layer dimensions included), weights and outputs.
    @Test(arguments: [ModelType.bert, .distilbert])
    func layersOfDifferentShapes(type: ModelType) throws {
        var config = tinyConfig(type)
        config.layerDimensions = [LayerDimensions(headCount: 1, headSize: 8, intermediateSize: 20),
                                  LayerDimensions(headCount: 3, headSize: 4, intermediateSize: 7)]
        let model = SequenceClassifier(config: config, generator: RandomGenerator(seed: 13))
        let shapes = Dictionary(uniqueKeysWithValues: model.encoder.layers.namedParameters().map { ($0.name, $0.tensor.shape) })
        let (query, intermediate) = type == .bert ? ("attention.self.query", "intermediate.dense") : ("attention.q_lin", "ffn.lin1")
        #expect(shapes["0.\(query).weight"] == [8, 16] && shapes["1.\(query).weight"] == [12, 16])
        #expect(shapes["0.\(intermediate).weight"] == [20, 16] && shapes["1.\(intermediate).weight"] == [7, 16])
        try roundTrip(SequenceClassifier.self, type, architecture: Self.family(type) + "ForSequenceClassification",
                      config: config) {
            let output = $0(tinyInput, options: .all)
            #expect(output.encoder.attentionProbabilities.map { $0.shape[1] } == [1, 3])
            return [output.logits] + output.encoder.hiddenStates
        }
    }

    /// transformers sizes these heads by the label count of `config.json`, so the saved count must be the head's:
    /// two for question answering (whatever the config it was made from said), one for a regressor.
    @Test(arguments: [ModelType.bert, .distilbert])
    func savedLabelCountIsTheHeadsOutputCount(type: ModelType) throws {
        var regression = tinyConfig(type)
        regression.problemType = .regression
        let heads: [(model: any PretrainedModel, outputs: Int)] = [
            (QuestionAnswering(config: tinyConfig(type), generator: RandomGenerator(seed: 30)), 2),
            (SequenceClassifier(config: regression, generator: RandomGenerator(seed: 31)), 1),
            (SequenceClassifier(config: tinyConfig(type), generator: RandomGenerator(seed: 32)), 3),
        ]
        for (model, outputs) in heads {
            try withScratchDirectory { directory in
                try model.save(to: directory)
                let saved = try ModelConfig(contentsOf: directory.appendingPathComponent("config.json"))
                #expect(saved.id2label.count == outputs, "\(Swift.type(of: model))")
                let head = model.namedParameters().last { $0.name.hasSuffix(".weight") }
                #expect(head?.tensor.shape.first == outputs, "\(Swift.type(of: model)): \(head?.name ?? "no head")")
            }
        }
    }

    /// The decoder shares the word embedding matrix; the file holds it once, under the embedding's name, and
    /// leaves out the decoder's, exactly the keys transformers 5.23 writes for these heads.
    @Test(arguments: [
        (ModelType.bert, ["bert.embeddings.LayerNorm.bias", "bert.embeddings.LayerNorm.weight",
                          "bert.embeddings.position_embeddings.weight", "bert.embeddings.token_type_embeddings.weight",
                          "bert.embeddings.word_embeddings.weight", "cls.predictions.bias",
                          "cls.predictions.transform.LayerNorm.bias", "cls.predictions.transform.LayerNorm.weight",
                          "cls.predictions.transform.dense.bias", "cls.predictions.transform.dense.weight"]),
        (.distilbert, ["distilbert.embeddings.LayerNorm.bias", "distilbert.embeddings.LayerNorm.weight",
                       "distilbert.embeddings.position_embeddings.weight", "distilbert.embeddings.word_embeddings.weight",
                       "vocab_layer_norm.bias", "vocab_layer_norm.weight", "vocab_projector.bias",
                       "vocab_transform.bias", "vocab_transform.weight"]),
    ])
    func tiedDecoderIsSavedOnceUnderTheEmbeddingName(type: ModelType, headKeys: [String]) throws {
        let model = MaskedLanguageModel(config: tinyConfig(type), generator: RandomGenerator(seed: 20))
        try withScratchDirectory { directory in
            try model.save(to: directory)
            let file = try SafeTensorsFile(url: directory.appendingPathComponent("model.safetensors"))
            #expect(file.names.filter { !$0.contains(".layer.") } == headKeys)
            #expect(file.names.count == model.namedParameters().count - 1)

            let (loaded, _) = try MaskedLanguageModel.load(from: directory, strict: true)
            let decoderName = type == .bert ? "cls.predictions.decoder.weight" : "vocab_projector.weight"
            #expect(loaded.parameter(named: decoderName) === loaded.encoder.embeddings.words.weight)
        }
    }

    /// A checkpoint that spells the tied matrix only under the decoder's name still fills the embedding.
    @Test func decoderOnlyCheckpointFillsTheTiedEmbedding() throws {
        let model = MaskedLanguageModel(config: tinyConfig(.bert), generator: RandomGenerator(seed: 21))
        randomizeParameters(model, seed: 22)
        try withScratchDirectory { directory in
            try model.save(to: directory)
            try editCheckpoint(in: directory) { tensors in
                for index in tensors.indices where tensors[index].name == "bert.embeddings.word_embeddings.weight" {
                    tensors[index].name = "cls.predictions.decoder.weight"
                }
            }
            let (loaded, report) = try MaskedLanguageModel.load(from: directory, strict: true)
            #expect(report.missing.isEmpty && report.unexpected.isEmpty, "\(report)")
            #expect(loaded.encoder.embeddings.words.weight.scalars == model.encoder.embeddings.words.weight.scalars)
        }
    }
}
