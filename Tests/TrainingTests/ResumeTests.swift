import Datasets
import Evaluation
import Foundation
import Models
import Tensors
import TestSupport
import Testing
import Training

@Suite struct ResumeTests {
    /// 20 examples in micro-batches of 3 (7 per epoch, the last of 2), 2 per update: 4 updates per epoch, the
    /// last of one micro-batch; dropout on, shuffled data, and an evaluation every 3 updates.
    static func configuration() -> TrainingConfiguration {
        var configuration = Fixtures.configuration(epochs: 3, batchSize: 3, accumulation: 2)
        configuration.warmupRatio = 0.2
        configuration.evaluateEvery = 3
        return configuration
    }

    /// Builds the model as a run would (same seed), trains with `body`, returns the final weights.
    static func run(
        in output: URL, configuration: TrainingConfiguration = configuration(), _ body: (Trainer) throws -> TrainingSummary
    ) throws -> (weights: [String: [Float]], summary: TrainingSummary) {
        let tokenizer = try Fixtures.tokenizer()
        let (model, generator) = Fixtures.model(seed: 11, dropout: 0.1, vocabularySize: tokenizer.vocabularySize)
        let examples = Fixtures.examples(count: 20, tokenizer: tokenizer)
        var evaluations = 0
        let trainer = try Fixtures.trainer(
            configuration, model: model, generator: generator, examples: examples, output: output,
            evaluation: Trainer.Evaluation(metricForBestModel: "score") {
                evaluations += 1
                // A score that depends on the weights, so the best model depends on the trajectory.
                return ["score": Double(model.classifier.weight.scalars.reduce(0, +))]
            })
        let summary = try body(trainer)
        return (Fixtures.weights(model), summary)
    }

    @Test(arguments: [(1, false), (4, false), (6, true), (9, true)])
    func resumingFromACheckpointGivesTheWeightsOfAnUninterruptedRun(stopAfter: Int, groupByLength: Bool) throws {
        let scratch = try ScratchDirectory()
        var configuration = Self.configuration()
        configuration.groupByLength = groupByLength
        let uninterrupted = try Self.run(in: scratch.path("whole"), configuration: configuration) { try $0.train() }
        #expect(uninterrupted.summary.steps == 12)

        let first = try Self.run(in: scratch.path("parts"), configuration: configuration) {
            try $0.train(stopAfterStep: stopAfter)
        }
        #expect(first.summary.stoppedEarly && first.summary.steps == stopAfter)
        #expect(Fixtures.maxDifference(first.weights, uninterrupted.weights) > 0)
        let resumed = try Self.run(in: scratch.path("parts"), configuration: configuration) { try $0.train(resume: true) }

        #expect(!resumed.summary.stoppedEarly && resumed.summary.steps == 12)
        #expect(!Trainer.hasCheckpoint(in: scratch.path("parts")), "a completed run leaves no checkpoint")
        #expect(Fixtures.maxDifference(resumed.weights, uninterrupted.weights) == 0)
        #expect(resumed.summary.bestMetric == uninterrupted.summary.bestMetric)
        #expect(resumed.summary.bestStep == uninterrupted.summary.bestStep)
        let whole = try SequenceClassifier.load(from: scratch.path("whole"), strict: true).model
        let parts = try SequenceClassifier.load(from: scratch.path("parts"), strict: true).model
        #expect(Fixtures.maxDifference(Fixtures.weights(whole), Fixtures.weights(parts)) == 0)

        // The resumed log has each step once, as the uninterrupted one.
        let wholeLog = try MetricsLogReader(directory: scratch.path("whole"))
        let partsLog = try MetricsLogReader(directory: scratch.path("parts"))
        #expect(partsLog.steps(split: "train") == Array(1...12))
        #expect(partsLog.values("loss", split: "train") == wholeLog.values("loss", split: "train"))
        #expect(partsLog.steps(split: "eval") == [3, 6, 9, 12])
    }

    @Test func aRunKilledAfterItsLastPeriodicCheckpointResumesFromIt() throws {
        let scratch = try ScratchDirectory()
        var configuration = Self.configuration()
        configuration.saveEvery = 5
        let uninterrupted = try Self.run(in: scratch.path("whole"), configuration: configuration) { try $0.train() }
        let output = scratch.path("parts"), saved = scratch.path("checkpoint-5")
        // Train to update 7 keeping the checkpoint of update 5, as a process killed after update 7 would leave it
        // (updates 6 and 7 logged and evaluated, the checkpoint of update 5 on disk).
        _ = try Self.run(in: output, configuration: configuration) { try $0.train(stopAfterStep: 5) }
        try FileManager.default.copyItem(at: output.appendingPathComponent("checkpoint"), to: saved)
        _ = try Self.run(in: output, configuration: configuration) { try $0.train(resume: true, stopAfterStep: 7) }
        try FileManager.default.removeItem(at: output.appendingPathComponent("checkpoint"))
        try FileManager.default.moveItem(at: saved, to: output.appendingPathComponent("checkpoint"))

        let resumed = try Self.run(in: output, configuration: configuration) { try $0.train(resume: true) }
        #expect(Fixtures.maxDifference(resumed.weights, uninterrupted.weights) == 0)
        #expect(try MetricsLogReader(directory: output).steps(split: "train") == Array(1...12))
    }

    @Test func aStopRequestWritesACheckpointAtomically() throws {
        let scratch = try ScratchDirectory()
        let tokenizer = try Fixtures.tokenizer()
        let (model, generator) = Fixtures.model(seed: 5, vocabularySize: tokenizer.vocabularySize)
        let stop = StopRequest()
        var batches = 0
        let trainer = try Trainer(
            configuration: Fixtures.configuration(epochs: 2), modules: [("", model)], generator: generator,
            trainingExamples: Fixtures.examples(count: 16, tokenizer: tokenizer), padId: 0, outputDirectory: scratch.url,
            loss: { batch in
                batches += 1
                if batches == 3 { stop.request() }
                return TrainingLoss(try SupervisedLoss.of(logits: model(EncoderInput(batch)).logits, batch: batch))
            },
            evaluation: nil, exportModel: { try model.save(to: $0) }, progressOutput: Fixtures.silent, stopRequest: stop)
        let summary = try trainer.train()
        #expect(summary.stoppedEarly && summary.steps == 3 && summary.totalSteps == 8)
        let contents = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
        #expect(contents == ["checkpoint", "metrics.jsonl"])  // no model yet (no evaluation), no leftovers
        let files = try FileManager.default.contentsOfDirectory(atPath: trainer.checkpointDirectory.path).sorted()
        #expect(files == ["optimizer.safetensors", "parameters.safetensors", "state.json"])
        #expect(Trainer.hasCheckpoint(in: scratch.url))
    }

    @Test func aCheckpointLeftBetweenTheTwoRenamesIsFound() throws {
        let scratch = try ScratchDirectory()
        _ = try Self.run(in: scratch.url) { try $0.train(stopAfterStep: 2) }
        // As if the process died after moving the old checkpoint aside and before moving the new one in.
        try FileManager.default.moveItem(at: scratch.path("checkpoint"), to: scratch.path("checkpoint.old"))
        #expect(Trainer.hasCheckpoint(in: scratch.url))
        let resumed = try Self.run(in: scratch.url) { try $0.train(resume: true, stopAfterStep: 3) }
        #expect(resumed.summary.steps == 3)
        #expect(!FileManager.default.fileExists(atPath: scratch.path("checkpoint.old").path))
    }

    @Test func resumingWithOtherSettingsOrWithoutACheckpointIsRefused() throws {
        let scratch = try ScratchDirectory()
        #expect(throws: TrainingError.noCheckpoint(directory: scratch.path("checkpoint").path)) {
            _ = try Self.run(in: scratch.url) { try $0.train(resume: true) }
        }
        _ = try Self.run(in: scratch.url) { try $0.train(stopAfterStep: 2) }
        var changed = Self.configuration()
        changed.learningRate = 2e-3
        #expect(throws: TrainingError.checkpointMismatch(
            file: scratch.path("checkpoint/state.json").path, setting: "learning_rate", checkpoint: "0.001", current: "0.002"
        )) {
            _ = try Self.run(in: scratch.url, configuration: changed) { try $0.train(resume: true) }
        }
    }

    /// Checkpoints written before Adam's β₂ and ε were settings do not record them: they resume with the old
    /// defaults, and only with them.
    @Test func aCheckpointWithoutAdamSettingsResumesWithTheDefaults() throws {
        let scratch = try ScratchDirectory()
        _ = try Self.run(in: scratch.url) { try $0.train(stopAfterStep: 2) }
        let state = scratch.path("checkpoint/state.json")
        let text = try String(contentsOf: state, encoding: .utf8)
        let older = text.split(separator: "\n").filter { !$0.contains("\"adam_") }.joined(separator: "\n")
        #expect(older != text)
        try older.write(to: state, atomically: true, encoding: .utf8)
        var changed = Self.configuration()
        changed.adamBeta2 = 0.98
        #expect(throws: TrainingError.checkpointMismatch(file: state.path, setting: "adam_beta2", checkpoint: "0.999", current: "0.98")) {
            _ = try Self.run(in: scratch.url, configuration: changed) { try $0.train(resume: true) }
        }
        let resumed = try Self.run(in: scratch.url) { try $0.train(resume: true) }
        #expect(!resumed.summary.stoppedEarly)
    }

    @Test func resumingWithModulesBuiltFromAnotherSeedIsRefused() throws {
        let scratch = try ScratchDirectory()
        _ = try Self.run(in: scratch.url) { try $0.train(stopAfterStep: 2) }
        let tokenizer = try Fixtures.tokenizer()
        let (model, _) = Fixtures.model(seed: 11, vocabularySize: tokenizer.vocabularySize)
        let trainer = try Fixtures.trainer(
            Self.configuration(), model: model, generator: RandomGenerator(seed: 99),
            examples: Fixtures.examples(count: 20, tokenizer: tokenizer), output: scratch.url)
        #expect(throws: TrainingError.randomStreamMismatch(file: scratch.path("checkpoint/state.json").path)) {
            try trainer.train(resume: true)
        }
    }
}
