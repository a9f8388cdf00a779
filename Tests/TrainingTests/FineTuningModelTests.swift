import Datasets
import Foundation
import Models
import Tensors
import TestSupport
import Testing
import Training

@Suite struct FineTuningModelTests {
    static let vocabularySize = 30

    @Test func aBaseCheckpointGetsAFreshHeadForTheTaskLabels() throws {
        let scratch = try ScratchDirectory()
        let base = TransformerEncoder(
            config: Fixtures.config(vocabularySize: Self.vocabularySize), generator: RandomGenerator(seed: 1))
        try base.save(to: scratch.url)

        let labels = try LabelSet(names: ["contradiction", "entailment", "neutral"])
        let loaded = try FineTuningModel(directory: scratch.url, labels: labels, generator: RandomGenerator(seed: 2))
        #expect(!loaded.keptHead)
        #expect(loaded.freshParameters == ["classifier.weight", "classifier.bias"])
        #expect(loaded.model.config.id2label == [0: "contradiction", 1: "entailment", 2: "neutral"])
        #expect(loaded.model.config.problemType == .singleLabelClassification)
        #expect(loaded.model.classifier.weight.shape == [3, 32])
        let encoderWeights = Fixtures.weights(loaded.model.encoder)
        #expect(Fixtures.maxDifference(encoderWeights, Fixtures.weights(base)) == 0)
    }

    @Test func aClassifierForTheSameLabelsKeepsItsHead() throws {
        let scratch = try ScratchDirectory()
        let (saved, _) = Fixtures.model(seed: 3, vocabularySize: Self.vocabularySize)
        try saved.save(to: scratch.url)
        let loaded = try FineTuningModel(
            directory: scratch.url, labels: try LabelSet(names: ["NEGATIVE", "POSITIVE"]), generator: RandomGenerator(seed: 4))
        #expect(loaded.keptHead && loaded.freshParameters.isEmpty && loaded.unusedTensors.isEmpty)
        #expect(Fixtures.maxDifference(Fixtures.weights(loaded.model), Fixtures.weights(saved)) == 0)
    }

    @Test func aClassifierForOtherLabelsGetsAFreshHeadOfTheRightShape() throws {
        let scratch = try ScratchDirectory()
        let (saved, _) = Fixtures.model(seed: 5, vocabularySize: Self.vocabularySize)
        try saved.save(to: scratch.url)
        let labels = try LabelSet(names: ["a", "b", "c"])
        let loaded = try FineTuningModel(directory: scratch.url, labels: labels, generator: RandomGenerator(seed: 6))
        #expect(!loaded.keptHead)
        #expect(loaded.freshParameters == ["classifier.weight", "classifier.bias"])
        #expect(loaded.unusedTensors == ["classifier.bias", "classifier.weight"])
        #expect(loaded.model.classifier.weight.shape == [3, 32])

        let regression = try FineTuningModel(directory: scratch.url, labels: nil, generator: RandomGenerator(seed: 6))
        #expect(regression.model.config.problemType == .regression && regression.model.config.labelCount == 1)
        #expect(regression.model.classifier.weight.shape == [1, 32])
    }
}
