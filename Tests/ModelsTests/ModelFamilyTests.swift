import Foundation
import Models
import NN
import SafeTensors
import Tensors
import TestSupport
import Testing

/// A family registered from outside the Models module (``ToyBert``) is found by its `model_type` and loads and
/// saves checkpoints in its own layout.
@Suite struct ModelFamilyTests {
    @Test func registeredFamilyIsFoundByModelType() throws {
        #expect(try ModelType.register(ToyBert.self) == .toyBert)
        #expect(try ModelType.register(ToyBert.self) == .toyBert, "registering again changes nothing")
        #expect(ModelType(rawValue: "toy-bert") == .toyBert)
        #expect(ModelType.allCases.filter { $0 == .toyBert }.count == 1)
        #expect(ModelType.allCases.prefix(2) == [.bert, .distilbert])
        #expect(throws: ModelTypeConflict(modelType: "bert")) { try ModelType.register(ToyBertClaimingBert.self) }
        #expect(ModelType(rawValue: "bert")?.className("Model") == "BertModel", "BERT keeps its model_type")
    }

    /// Writes a randomised BERT classifier as a toy-bert checkpoint: each layer's projection matrices renamed to
    /// `kernel` and transposed, by hand (not through the family).
    private func writeToyCheckpoint(of bert: SequenceClassifier, to directory: URL) throws {
        var config = bert.config
        config.modelType = .toyBert
        config.architectures = ["ToyBertForSequenceClassification"]
        try bert.save(to: directory)
        try config.write(to: directory.appendingPathComponent("config.json"))
        let url = directory.appendingPathComponent(SafeTensorsCheckpoint.singleFileName)
        let file = try SafeTensorsFile(url: url)
        let tensors = try file.names.map { name in
            let shape = file.info(name)?.shape ?? []
            let floats = try file.floats(name)
            let isProjection = ToyBert.projections.contains { name.hasSuffix(".\($0).weight") }
            guard name.contains("encoder.layer."), isProjection else {
                return WritableTensor(name: name, shape: shape, floats: floats)
            }
            return WritableTensor(name: name.dropLast("weight".count) + "kernel", shape: shape.reversed(),
                                  floats: Tensor(shape: shape, values: floats).transposed().scalars)
        }
        try SafeTensorsWriter.write(tensors, to: url)
    }

    @Test func toyLayoutLoadsAsBertAndSavesBackByteIdentical() throws {
        try ModelType.register(ToyBert.self)
        let bert = SequenceClassifier(config: tinyConfig(.bert), generator: RandomGenerator(seed: 1))
        randomizeParameters(bert, seed: 2)
        try withScratchDirectory { directory in
            let toyDirectory = directory.appendingPathComponent("toy")
            try writeToyCheckpoint(of: bert, to: toyDirectory)
            let toyFile = try SafeTensorsFile(
                url: toyDirectory.appendingPathComponent(SafeTensorsCheckpoint.singleFileName))
            // BERT's Linear holds [out, in] = [32, 16]; the toy layout [in, out].
            #expect(toyFile.info("bert.encoder.layer.1.intermediate.dense.kernel")?.shape == [16, 32])

            let (toy, report) = try SequenceClassifier.load(from: toyDirectory, strict: true)
            #expect(report.missing.isEmpty && report.unexpected.isEmpty, "\(report)")
            #expect(toy.config.modelType == .toyBert)
            bert.setTraining(false)
            toy.setTraining(false)
            let (expected, actual) = withoutGrad { (bert(tinyInput), toy(tinyInput)) }
            // The same weights and the same kernels: equal bit for bit.
            #expect(actual.logits.scalars == expected.logits.scalars)
            #expect(actual.encoder.lastHidden.scalars == expected.encoder.lastHidden.scalars)

            // The base model alone reads the task checkpoint too: the base prefix applies to the stored names.
            let (encoder, encoderReport) = try TransformerEncoder.load(from: toyDirectory)
            #expect(encoderReport.missing.isEmpty)
            #expect(encoderReport.unexpected == ["classifier.bias", "classifier.weight"])
            encoder.setTraining(false)
            #expect(withoutGrad { encoder(tinyInput).lastHidden }.scalars == expected.encoder.lastHidden.scalars)

            let savedDirectory = directory.appendingPathComponent("saved")
            try toy.save(to: savedDirectory)
            for file in [SafeTensorsCheckpoint.singleFileName, "config.json"] {
                #expect(try Data(contentsOf: savedDirectory.appendingPathComponent(file))
                    == Data(contentsOf: toyDirectory.appendingPathComponent(file)), "\(file)")
            }
        }
    }

    /// A kernel stored untransposed (`[out, in]`) is reported with the shape the toy layout needs.
    @Test func toyKernelOfTheWrongShapeIsNamed() throws {
        try ModelType.register(ToyBert.self)
        let bert = SequenceClassifier(config: tinyConfig(.bert), generator: RandomGenerator(seed: 1))
        let kernel = "bert.encoder.layer.0.intermediate.dense.kernel"
        try withScratchDirectory { directory in
            try writeToyCheckpoint(of: bert, to: directory)
            try editCheckpoint(in: directory) { tensors in
                for index in tensors.indices where tensors[index].name == kernel {
                    tensors[index] = WritableTensor(name: tensors[index].name, shape: [32, 16],
                                                    floats: Array(repeating: 0, count: 512))
                }
            }
            let error = try #require(throws: ModelWeightsError.self) {
                try SequenceClassifier.load(from: directory, strict: true)
            }
            guard case .shapeMismatch(_, kernel, [16, 32], [32, 16]) = error else {
                Issue.record("expected a shape mismatch of the kernel, got \(error)")
                return
            }
        }
    }
}
