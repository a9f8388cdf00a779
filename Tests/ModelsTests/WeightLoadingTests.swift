import Foundation
import Models
import NN
import SafeTensors
import Tensors
import TestSupport
import Testing

/// What loading reports and refuses: missing and unexpected weights, wrong shapes, pickle-only directories.
@Suite struct WeightLoadingTests {
    /// transformers 5.23 reports exactly `classifier.weight` and `classifier.bias` as newly initialised when
    /// `BertForSequenceClassification` loads all-MiniLM-L6-v2, and nothing as unexpected (`position_ids` is an
    /// integer buffer, which both sides ignore).
    @Test func baseCheckpointIntoClassifierReportsOnlyTheNewHead() throws {
        let teacher = try Teacher.directory()
        let (model, report) = try SequenceClassifier.load(from: teacher)
        #expect(report.missing == ["classifier.weight", "classifier.bias"])
        #expect(report.unexpected == [])
        let checkpoint = try SafeTensorsCheckpoint(directory: teacher)
        for name in ["embeddings.word_embeddings.weight", "encoder.layer.5.output.LayerNorm.bias", "pooler.dense.weight"] {
            let loaded = try #require(model.parameter(named: "bert." + name))
            #expect(loaded.scalars == (try checkpoint.floats(name)), "\(name) not loaded")
        }
    }

    /// Only the weights the checkpoint lacks are drawn, with the values a model built from the same seed has, and
    /// the generator continues from where building that model leaves it (so fine-tuning runs are unchanged).
    @Test func theNewHeadIsDrawnAsAFreshModelDrawsIt() throws {
        let generator = RandomGenerator(seed: 9)
        let model = try SequenceClassifier.load(from: try Teacher.directory(), generator: generator).model
        let freshGenerator = RandomGenerator(seed: 9)
        let fresh = SequenceClassifier(config: model.config, generator: freshGenerator)
        let head = try #require(model.parameter(named: "classifier.weight"))
        #expect(head.scalars == (try #require(fresh.parameter(named: "classifier.weight"))).scalars)
        #expect(head.scalars.contains { $0 != 0 })
        #expect(generator.state == freshGenerator.state)
    }

    @Test func strictLoadNamesTheMissingWeights() throws {
        let error = try #require(throws: ModelWeightsError.self) {
            try SequenceClassifier.load(from: try Teacher.directory(), strict: true)
        }
        guard case .missingWeights(_, let names) = error else {
            Issue.record("expected missingWeights, got \(error)")
            return
        }
        #expect(names == ["classifier.weight", "classifier.bias"])
        #expect(error.description.contains("classifier.weight, classifier.bias"))
    }

    /// A task checkpoint loads into a bare encoder; its head is reported as unexpected, as transformers does.
    @Test(arguments: [ModelType.bert, .distilbert])
    func classifierCheckpointIntoEncoderReportsTheHeadAsUnexpected(type: ModelType) throws {
        try withScratchDirectory { directory in
            try SequenceClassifier(config: tinyConfig(type), generator: RandomGenerator(seed: 1)).save(to: directory)
            let (_, report) = try TransformerEncoder.load(from: directory)
            let head = type == .bert ? ["classifier.bias", "classifier.weight"]
                : ["classifier.bias", "classifier.weight", "pre_classifier.bias", "pre_classifier.weight"]
            #expect(report.unexpected == head)
            #expect(report.missing == [])
            let error = try #require(throws: ModelWeightsError.self) {
                try TransformerEncoder.load(from: directory, strict: true)
            }
            #expect(error == .unexpectedWeights(directory: directory.path, names: head))
        }
    }

    @Test func strictLoadNamesAnUnexpectedWeight() throws {
        try withScratchDirectory { directory in
            try SequenceClassifier(config: tinyConfig(.bert), generator: RandomGenerator(seed: 2)).save(to: directory)
            try editCheckpoint(in: directory) { $0.append(WritableTensor(name: "cls.extra.weight", shape: [2], floats: [1, 2])) }
            #expect(try SequenceClassifier.load(from: directory).report.unexpected == ["cls.extra.weight"])
            let error = try #require(throws: ModelWeightsError.self) {
                try SequenceClassifier.load(from: directory, strict: true)
            }
            #expect(error == .unexpectedWeights(directory: directory.path, names: ["cls.extra.weight"]))
            #expect(error.description.contains("cls.extra.weight"))
        }
    }

    /// TensorFlow-era checkpoints name LayerNorm parameters `gamma` and `beta`; they load as `weight` and `bias`.
    @Test func legacyLayerNormNamesAreRenamed() throws {
        try withScratchDirectory { directory in
            let model = SequenceClassifier(config: tinyConfig(.bert), generator: RandomGenerator(seed: 5))
            randomizeParameters(model, seed: 6)
            try model.save(to: directory)
            try editCheckpoint(in: directory) { tensors in
                for index in tensors.indices where tensors[index].name.contains("LayerNorm") {
                    tensors[index].name = tensors[index].name.replacingOccurrences(of: ".weight", with: ".gamma")
                        .replacingOccurrences(of: ".bias", with: ".beta")
                }
            }
            let (loaded, report) = try SequenceClassifier.load(from: directory, strict: true)
            #expect(report.missing.isEmpty && report.unexpected.isEmpty, "\(report)")
            let name = "bert.encoder.layer.1.output.LayerNorm.bias"
            #expect(loaded.parameter(named: name)?.scalars == model.parameter(named: name)?.scalars)
        }
    }

    @Test func wrongShapeIsRefusedNamingTheTensor() throws {
        try withScratchDirectory { directory in
            try SequenceClassifier(config: tinyConfig(.bert), generator: RandomGenerator(seed: 3)).save(to: directory)
            let name = "bert.encoder.layer.1.intermediate.dense.weight"
            try editCheckpoint(in: directory) { tensors in
                tensors.removeAll { $0.name == name }
                tensors.append(WritableTensor(name: name, shape: [16, 16], floats: Array(repeating: 0, count: 256)))
            }
            let error = try #require(throws: ModelWeightsError.self) { try SequenceClassifier.load(from: directory) }
            #expect(error == .shapeMismatch(file: directory.path, name: name, expected: [32, 16], found: [16, 16]))
            #expect(error.description.contains(name))
        }
    }

    /// A config asking for more labels than the checkpoint's head has is a shape mismatch, not a silent resize.
    @Test func labelCountChangeIsAShapeMismatch() throws {
        try withScratchDirectory { directory in
            try SequenceClassifier(config: tinyConfig(.distilbert), generator: RandomGenerator(seed: 4)).save(to: directory)
            let error = try #require(throws: ModelWeightsError.self) {
                try SequenceClassifier.load(from: directory) { $0.id2label = [0: "a", 1: "b", 2: "c", 3: "d"] }
            }
            guard case .shapeMismatch(_, let name, let expected, let found) = error else {
                Issue.record("expected shapeMismatch, got \(error)")
                return
            }
            #expect(name == "classifier.weight" && expected == [4, 16] && found == [3, 16])
        }
    }

    @Test func pickleOnlyDirectoryGetsTheSafeTensorsError() throws {
        try withScratchDirectory { directory in
            try tinyConfig(.bert).write(to: directory.appendingPathComponent("config.json"))
            try Data([0x80, 0x02]).write(to: directory.appendingPathComponent("pytorch_model.bin"))
            let error = try #require(throws: SafeTensorsError.self) { try SequenceClassifier.load(from: directory) }
            #expect(error.fault == .pickleCheckpoint(found: "pytorch_model.bin"))
            #expect(error.description.contains("pytorch_model.bin"))
        }
    }

    @Test func directoryWithoutWeightsNamesWhatWasLookedFor() throws {
        try withScratchDirectory { directory in
            try tinyConfig(.bert).write(to: directory.appendingPathComponent("config.json"))
            let error = try #require(throws: SafeTensorsError.self) { try QuestionAnswering.load(from: directory) }
            #expect(error.fault == .noCheckpoint(lookedFor: ["model.safetensors", "model.safetensors.index.json"]))
        }
    }
}
