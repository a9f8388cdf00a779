import Datasets
import Evaluation
import Foundation
import Models
import Tensors
import Testing
import TestSupport
import Training

@Suite struct FineTuningRunTests {
    /// A request on a base BERT and SST-2-like files in `scratch`, capped at a few updates.
    static func request(_ scratch: ScratchDirectory) throws -> FineTuningRequest {
        let tokenizer = try Fixtures.tokenizer()
        try tokenizer.save(to: scratch.path("base"))
        try TransformerEncoder(
            config: Fixtures.config(vocabularySize: tokenizer.vocabularySize), generator: RandomGenerator(seed: 8)
        ).save(to: scratch.path("base"))
        try Fixtures.writeTSV(count: 16, to: scratch.path("train.tsv"))
        try Fixtures.writeTSV(count: 8, to: scratch.path("dev.tsv"))
        var request = FineTuningRequest(
            modelDirectory: scratch.path("base"), trainPath: scratch.path("train.tsv").path,
            devPath: scratch.path("dev.tsv").path, outputDirectory: scratch.path("out"))
        request.task = "sst2"
        request.training = Fixtures.configuration(epochs: 1, batchSize: 4)
        return request
    }

    @Test func preparesAndTrainsAClassifierWithTheTasksConventions() throws {
        let scratch = try ScratchDirectory()
        let run = try FineTuningRun(try Self.request(scratch), progressOutput: Fixtures.silent)
        #expect(run.labels?.names == ["NEGATIVE", "POSITIVE"])  // SST-2's conventional names
        #expect(run.metrics == [.accuracy])
        #expect(run.trainingExampleCount == 16 && !run.keptHead)
        #expect(run.freshParameters.contains("classifier.weight"))
        let summary = try run.train()
        #expect(summary.steps == 4 && summary.bestMetric != nil)
        let saved = try SavedClassifier(directory: scratch.path("out"))
        #expect(saved.labels?.names == ["NEGATIVE", "POSITIVE"])
    }

    @Test func problemsAreNamedInTheWordsOfTheTask() throws {
        let scratch = try ScratchDirectory()
        var request = try Self.request(scratch)
        request.task = "stsb"
        request.labelNames = ["a", "b"]
        #expect(throws: FineTuningError.labelNamesForRegression) { try FineTuningRun(request) }
        request.labelNames = nil
        request.task = "sst2"
        request.metrics = [.pearson]
        #expect(throws: FineTuningError.metricDoesNotApply(.pearson, task: .classification)) { try FineTuningRun(request) }
        request.metrics = []
        request.labelNames = ["same", "same"]
        #expect(throws: FineTuningError.self) { try FineTuningRun(request) }
        request.labelNames = nil
        request.training.maxLength = 10_000
        #expect(throws: FineTuningError.sequencesTooLong(maxLength: 10_000, positions: 64)) { try FineTuningRun(request) }
    }
}
