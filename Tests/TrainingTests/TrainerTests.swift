import Datasets
import Evaluation
import Foundation
import Models
import NN
import SafeTensors
import Tensors
import TestSupport
import Testing
import Training

@Suite struct TrainerTests {
    @Test func lossFallsAndDevAccuracyRisesOnALearnableTask() throws {
        let scratch = try ScratchDirectory()
        let tokenizer = try Fixtures.tokenizer()
        let train = Fixtures.examples(count: 48, tokenizer: tokenizer)
        let (model, generator) = Fixtures.model(seed: 1, vocabularySize: tokenizer.vocabularySize)
        var configuration = Fixtures.configuration(epochs: 8, batchSize: 8)
        configuration.warmupRatio = 0.1
        configuration.learningRate = 5e-3
        let batcher = try Batcher(examples: train, batchSize: 16, padId: 0, maxLength: 32)
        func accuracy() -> Double {
            let outputs = withoutGrad { batcher.batches(of: batcher.plan(order: .sequential, seed: 0, epoch: 0)).map {
                (model(EncoderInput($0)).logits.scalars, $0.labels(as: ClassLabels.self))
            } }
            var correct = 0
            for (logits, labels) in outputs {
                guard let classes = labels?.classIndices else { continue }
                for (row, label) in classes.enumerated() where (logits[2 * row + 1] > logits[2 * row]) == (label == 1) {
                    correct += 1
                }
            }
            return Double(correct) / Double(train.count)
        }
        let trainer = try Fixtures.trainer(
            configuration, model: model, generator: generator, examples: train, output: scratch.url,
            evaluation: Trainer.Evaluation(metricForBestModel: "accuracy") { ["accuracy": accuracy()] })
        let summary = try trainer.train()

        let losses = try MetricsLogReader(directory: scratch.url).values("loss", split: "train")
        #expect(losses.count == trainer.plan.totalSteps)
        let firstEpoch = losses.prefix(6).reduce(0, +) / 6, lastEpoch = losses.suffix(6).reduce(0, +) / 6
        #expect(lastEpoch < firstEpoch * 0.3, "mean loss of the first epoch \(firstEpoch), of the last \(lastEpoch)")
        #expect(summary.bestMetric == 1.0)
        #expect(!summary.stoppedEarly && summary.steps == 48)
    }

    @Test func gradientAccumulationOfTwoBatchesOf16EqualsOneBatchOf32() throws {
        let scratch = try ScratchDirectory()
        let tokenizer = try Fixtures.tokenizer()
        let train = Fixtures.examples(count: 32, tokenizer: tokenizer)
        func oneUpdate(batchSize: Int, accumulation: Int) throws -> (before: [String: [Float]], after: [String: [Float]]) {
            let (model, generator) = Fixtures.model(seed: 7, dropout: 0, vocabularySize: tokenizer.vocabularySize)
            let before = Fixtures.weights(model)
            let configuration = Fixtures.configuration(epochs: 1, batchSize: batchSize, accumulation: accumulation)
            let trainer = try Fixtures.trainer(
                configuration, model: model, generator: generator, examples: train,
                output: scratch.path("b\(batchSize)"))
            #expect(trainer.plan.totalSteps == 1)
            _ = try trainer.train()
            return (before, Fixtures.weights(model))
        }
        let large = try oneUpdate(batchSize: 32, accumulation: 1)
        let accumulated = try oneUpdate(batchSize: 16, accumulation: 2)
        #expect(Fixtures.maxDifference(large.before, accumulated.before) == 0)
        #expect(Fixtures.maxDifference(large.before, large.after) > 1e-4, "the update must move the weights")
        #expect(Fixtures.maxDifference(large.after, accumulated.after) <= 1e-5)
    }

    @Test func planCountsUpdatesAndWarmUpAsTransformersDoes() {
        var configuration = TrainingConfiguration()
        configuration.batchSize = 10
        configuration.epochs = 2
        let plan = TrainingPlan(configuration: configuration, exampleCount: 95)
        #expect(plan.batchesPerEpoch == 10 && plan.updatesPerEpoch == 10 && plan.totalSteps == 20)
        #expect(plan.warmupSteps == 2)  // ceil(20 × 0.06)
        let peak = configuration.learningRate
        #expect(plan.learningRate(atStep: 0) == 0)
        #expect(plan.learningRate(atStep: 1) == peak / 2)
        #expect(plan.learningRate(atStep: 2) == peak)
        #expect(abs(plan.learningRate(atStep: 11) - peak * 9 / 18) < 1e-12)
        #expect(plan.learningRate(atStep: 20) == 0)

        configuration.gradientAccumulation = 3
        configuration.maxSteps = 6
        let accumulated = TrainingPlan(configuration: configuration, exampleCount: 95)
        #expect(accumulated.updatesPerEpoch == 4)  // 3 + 3 + 3 + 1 micro-batches
        #expect(accumulated.totalSteps == 6 && accumulated.epochCount == 2 && accumulated.warmupSteps == 1)
    }

    @Test func loggedLearningRatesFollowTheSchedule() throws {
        let scratch = try ScratchDirectory()
        let tokenizer = try Fixtures.tokenizer()
        let (model, generator) = Fixtures.model(seed: 2, vocabularySize: tokenizer.vocabularySize)
        var configuration = Fixtures.configuration(epochs: 2, batchSize: 4)
        configuration.warmupRatio = 0.25
        let trainer = try Fixtures.trainer(
            configuration, model: model, generator: generator, examples: Fixtures.examples(count: 16, tokenizer: tokenizer),
            output: scratch.url)
        _ = try trainer.train()
        let rates = try MetricsLogReader(directory: scratch.url).values("learning_rate", split: "train")
        let peak = Double(configuration.learningRate)
        #expect(trainer.plan.warmupSteps == 2)
        let expected = [0, peak / 2, peak, peak * 5 / 6, peak * 4 / 6, peak * 3 / 6, peak * 2 / 6, peak / 6]
        #expect(rates.count == expected.count)
        for (rate, wanted) in zip(rates, expected) { #expect(abs(rate - wanted) < 1e-9) }
    }

    @Test func trainedModulesTrainWithDropoutAndEvaluateWithoutGradients() throws {
        let scratch = try ScratchDirectory()
        let tokenizer = try Fixtures.tokenizer()
        let (model, generator) = Fixtures.model(seed: 3, vocabularySize: tokenizer.vocabularySize)
        var seenInLoss: Set<[Bool]> = [], seenInEvaluation: Set<[Bool]> = []
        let trainer = try Trainer(
            configuration: Fixtures.configuration(epochs: 2), modules: [("", model)], generator: generator,
            trainingExamples: Fixtures.examples(count: 8, tokenizer: tokenizer), padId: 0, outputDirectory: scratch.url,
            loss: { batch in
                seenInLoss.insert([model.isTraining, GradMode.isEnabled])
                return TrainingLoss(try SupervisedLoss.of(logits: model(EncoderInput(batch)).logits, batch: batch))
            },
            evaluation: Trainer.Evaluation(metricForBestModel: "score") {
                seenInEvaluation.insert([model.isTraining, GradMode.isEnabled])
                return ["score": 1]
            },
            exportModel: { _ in }, progressOutput: Fixtures.silent)
        _ = try trainer.train()
        #expect(seenInLoss == [[true, true]])
        #expect(seenInEvaluation == [[false, false]])
    }

    @Test func theOutputDirectoryKeepsTheBestEvaluatedModel() throws {
        let scratch = try ScratchDirectory()
        let tokenizer = try Fixtures.tokenizer()
        let (model, generator) = Fixtures.model(seed: 4, vocabularySize: tokenizer.vocabularySize)
        let scores = [0.5, 0.9, 0.7]
        var snapshots: [[String: [Float]]] = []
        let trainer = try Fixtures.trainer(
            Fixtures.configuration(epochs: 3), model: model, generator: generator,
            examples: Fixtures.examples(count: 8, tokenizer: tokenizer), output: scratch.url,
            evaluation: Trainer.Evaluation(metricForBestModel: "accuracy") {
                snapshots.append(Fixtures.weights(model))
                return ["accuracy": scores[snapshots.count - 1], "loss": 0]
            })
        let summary = try trainer.train()
        #expect(snapshots.count == 3)
        #expect(summary.bestMetric == 0.9 && summary.bestStep == 4 && summary.steps == 6)

        let (saved, _) = try SequenceClassifier.load(from: scratch.url, strict: true)
        #expect(Fixtures.maxDifference(Fixtures.weights(saved), snapshots[1]) == 0)
        #expect(Fixtures.maxDifference(Fixtures.weights(saved), Fixtures.weights(model)) > 0)
        #expect(try MetricsLogReader(directory: scratch.url).values("accuracy", split: "eval") == scores)
    }

    @Test func aMissingSelectionMetricIsAnError() throws {
        let scratch = try ScratchDirectory()
        let tokenizer = try Fixtures.tokenizer()
        let (model, generator) = Fixtures.model(seed: 4, vocabularySize: tokenizer.vocabularySize)
        let trainer = try Fixtures.trainer(
            Fixtures.configuration(epochs: 1), model: model, generator: generator,
            examples: Fixtures.examples(count: 4, tokenizer: tokenizer), output: scratch.url,
            evaluation: Trainer.Evaluation(metricForBestModel: "f1") { ["accuracy": 1] })
        #expect(throws: TrainingError.missingSelectionMetric("f1", reported: ["accuracy"])) { try trainer.train() }
    }

    @Test func invalidOptionsAreNamed() throws {
        var configuration = TrainingConfiguration()
        configuration.warmupRatio = 1.5
        #expect(throws: TrainingError.invalidSetting(.warmupRatio, "must be in [0, 1)")) { try configuration.validate() }
        #expect(TrainingError.invalidSetting(.warmupRatio, "must be in [0, 1)").description == "the warm-up ratio must be in [0, 1)")
    }
}

/// Reads `metrics.jsonl` back.
struct MetricsLogReader {
    let entries: [[String: Any]]

    init(directory: URL) throws {
        let text = try String(contentsOf: directory.appendingPathComponent(MetricsLog.fileName), encoding: .utf8)
        entries = try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    /// The values of `key` on the lines of `split`, in order.
    func values(_ key: String, split: String) -> [Double] {
        entries.filter { $0["split"] as? String == split }.compactMap { ($0[key] as? NSNumber)?.doubleValue }
    }

    func steps(split: String) -> [Int] {
        entries.filter { $0["split"] as? String == split }.compactMap { ($0["step"] as? NSNumber)?.intValue }
    }
}
