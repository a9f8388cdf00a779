import Datasets
import Foundation
import Models
import Tensors
import TestSupport
import Testing
import Training

/// `MaskedLanguageModelRun` on a tiny base BERT (no head) and tiny corpora written by the tests.
struct MaskedLanguageModelRunTests {
    /// A base BERT with its tokenizer, two corpus files and a held-out file.
    struct Workspace {
        let scratch: ScratchDirectory
        var model: URL { scratch.path("base") }
        var corpus: [String] { [scratch.path("a.txt").path, scratch.path("b.txt").path] }
        var heldOut: String { scratch.path("heldout.txt").path }

        init(modelType: ModelType = .bert) throws {
            scratch = try ScratchDirectory()
            let tokenizer = try Fixtures.tokenizer()
            try tokenizer.save(to: model)
            try TransformerEncoder(
                config: Fixtures.config(modelType: modelType, vocabularySize: tokenizer.vocabularySize),
                generator: RandomGenerator(seed: 8)
            ).save(to: model)
            let lines = Fixtures.sentences(count: 80).map(\.text)
            try lines[0..<20].joined(separator: "\n").write(to: scratch.path("a.txt"), atomically: true, encoding: .utf8)
            try lines[20..<36].joined(separator: "\n").write(to: scratch.path("b.txt"), atomically: true, encoding: .utf8)
            // 44 held-out sentences: some 25 masked tokens.
            try lines[36...].joined(separator: "\n").write(to: scratch.path("heldout.txt"), atomically: true, encoding: .utf8)
        }

        func request(output: String, steps: Int, freezeEncoder: Bool) -> MaskedLanguageModelRequest {
            var request = MaskedLanguageModelRequest(
                modelDirectory: model, corpusPaths: corpus, outputDirectory: scratch.path(output), steps: steps)
            request.heldOutPath = heldOut
            request.freezeEncoder = freezeEncoder
            request.training = Fixtures.configuration(batchSize: 4)
            request.training.learningRate = 1e-2
            request.training.maxLength = 12
            request.training.evaluateEvery = 20
            return request
        }

        func run(output: String, steps: Int, freezeEncoder: Bool, saveEvery: Int? = nil) throws -> MaskedLanguageModelRun {
            var request = request(output: output, steps: steps, freezeEncoder: freezeEncoder)
            request.training.saveEvery = saveEvery
            return try MaskedLanguageModelRun(request, progressOutput: Fixtures.silent)
        }
    }

    @Test func aFrozenEncoderStaysBitIdenticalWhileTheHeadLearns() throws {
        let workspace = try Workspace()
        let run = try workspace.run(output: "frozen", steps: 60, freezeEncoder: true)
        #expect(run.freshParameters.contains("cls.predictions.bias"), "\(run.freshParameters)")
        let encoderBefore = Fixtures.weights(run.model.encoder)
        let before = try #require(run.evaluator).evaluate(run.model)
        let summary = try run.train()
        let after = try #require(summary.lastEvaluation)
        #expect(Fixtures.weights(run.model.encoder) == encoderBefore)
        // Only transform, LayerNorm and decoder bias train: the decoder's matrix is the frozen word embedding.
        #expect(Set(run.trainer.parameters.map(\.name)) == [
            "cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias",
            "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.LayerNorm.bias",
            "cls.predictions.bias",
        ])
        // A fresh head over 21 words starts near ln(21) ≈ 3.0; 60 updates on features of a random frozen encoder
        // bring it to about 2.77 (observed), towards the unigram entropy of the 16 words.
        let (lossBefore, lossAfter) = (try #require(before["mlm_loss"]), try #require(after["mlm_loss"]))
        #expect(lossAfter < lossBefore - 0.15, "\(before) -> \(after)")
        let log = try String(contentsOf: workspace.scratch.path("frozen/metrics.jsonl"), encoding: .utf8)
        #expect(log.contains("\"masked_accuracy\"") && log.contains("\"split\":\"eval\""), "\(log)")
    }

    @Test func continuedPretrainingTrainsTheEncoderToo() throws {
        let workspace = try Workspace()
        let run = try workspace.run(output: "full", steps: 4, freezeEncoder: false)
        let before = Fixtures.weights(run.model.encoder)
        _ = try run.train()
        #expect(Fixtures.maxDifference(Fixtures.weights(run.model.encoder), before) > 0)
    }

    @Test func aResumedRunEndsWithTheWeightsOfAnUninterruptedOne() throws {
        let workspace = try Workspace()
        // 12 updates of 4 sequences of at most 10 words: more than the corpus holds, so both files are read in
        // turn and the first again.
        let whole = try workspace.run(output: "whole", steps: 12, freezeEncoder: false)
        _ = try whole.train()
        for stop in [3, 7] {
            let output = "parts-\(stop)"
            _ = try workspace.run(output: output, steps: 12, freezeEncoder: false, saveEvery: 5).train(stopAfterStep: stop)
            let resumed = try workspace.run(output: output, steps: 12, freezeEncoder: false)
            _ = try resumed.train(resume: true)
            #expect(Fixtures.weights(resumed.model) == Fixtures.weights(whole.model), "stopped after update \(stop)")
        }
    }

    @Test(arguments: [(ModelType.bert, "BertForMaskedLM"), (.distilbert, "DistilBertForMaskedLM")])
    func theSavedModelReloadsStrictlyWithTheSameLogits(modelType: ModelType, architecture: String) throws {
        let workspace = try Workspace(modelType: modelType)
        let run = try workspace.run(output: "saved", steps: 3, freezeEncoder: true)
        _ = try run.train()
        let (loaded, report) = try MaskedLanguageModel.load(from: workspace.scratch.path("saved"), strict: true)
        #expect(report.missing.isEmpty && report.unexpected.isEmpty, "\(report)")
        let config = try ModelConfig(contentsOf: workspace.scratch.path("saved/config.json"))
        #expect(config.architectures == [architecture])
        let input = EncoderInput(ids: [2, 5, 4, 13, 3], typeIds: [0, 0, 0, 0, 0], attentionMask: [1, 1, 1, 1, 1],
                                 batchSize: 1, sequenceLength: 5)
        run.model.setTraining(false)
        loaded.setTraining(false)
        #expect(Fixtures.weights(loaded) == Fixtures.weights(run.model))
        let (expected, actual) = withoutGrad { (run.model(input).logits, loaded(input).logits) }
        #expect(actual.scalars == expected.scalars)
    }

    @Test func theHeldOutMaskingIsTheSameForEveryEvaluator() throws {
        let workspace = try Workspace()
        let tokenizer = try Fixtures.tokenizer()
        let make = {
            try MaskedTokenEvaluator(url: URL(fileURLWithPath: workspace.heldOut), tokenizer: tokenizer, maxLength: 12,
                                     maxSequences: 10, batchSize: 2)
        }
        let (first, second) = (try make(), try make())
        #expect(first.batches.map(\.ids) == second.batches.map(\.ids))
        #expect(first.batches.map { $0.labels(as: TokenLabels.self) } == second.batches.map { $0.labels(as: TokenLabels.self) })
    }
}

/// `distill mlm` end to end.
@Suite(.enabled(if: CommandLine.distillBinary != nil, "the distill executable is not next to the test bundle"))
struct MaskedLanguageModelCommandTests {
    @Test func mlmTrainsAndExportsAMaskedLanguageModel() throws {
        let workspace = try MaskedLanguageModelRunTests.Workspace()
        let output = workspace.scratch.path("cli").path
        func mlm(maxLength: String = "12", _ extra: [String]) throws -> (status: Int32, output: String, errors: String) {
            try CommandLine.runDistill(
                ["mlm", "--model", workspace.model.path, "--corpus"] + workspace.corpus
                    + ["--heldout", workspace.heldOut, "--output", output, "--freeze-encoder", "--batch-size", "4",
                       "--max-length", maxLength, "--lr", "1e-2"] + extra)
        }
        let result = try mlm(["--max-steps", "4"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("held-out masked-token accuracy"), "\(result.output)")
        let (_, report) = try MaskedLanguageModel.load(from: URL(fileURLWithPath: output), strict: true)
        #expect(report.missing.isEmpty)

        let noSteps = try mlm([])
        #expect(noSteps.status != 0 && noSteps.errors.contains("--max-steps is required"), "\(noSteps.errors)")
        let epochs = try mlm(["--max-steps", "4", "--epochs", "2"])
        #expect(epochs.status != 0 && epochs.errors.contains("--epochs does not apply"), "\(epochs.errors)")
        let tooLong = try mlm(maxLength: "100", ["--max-steps", "4"])
        #expect(tooLong.errors.contains("--max-length 100 exceeds the model's 64 positions"), "\(tooLong.errors)")
        let missing = try CommandLine.runDistill(
            ["mlm", "--model", workspace.model.path, "--corpus", workspace.scratch.path("none.txt").path,
             "--output", output, "--max-steps", "2", "--max-length", "12"])
        #expect(missing.status != 0 && missing.errors.contains("none.txt"), "\(missing.errors)")
    }
}
