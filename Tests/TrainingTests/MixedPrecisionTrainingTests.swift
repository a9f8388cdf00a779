import Foundation
import Models
import NN
import Tensors
import TestSupport
import Testing
import Training

/// Training with `matmulPrecision` bf16 (`--bf16`): it learns, the setting binds a checkpoint, and a CPU without
/// bf16 matmuls is refused by name.
@Suite struct MixedPrecisionTrainingTests {
    static let bf16Available = MatmulPrecision.bf16.missingSupport() == nil

    /// The losses logged per update by a run of `configuration` on the learnable toy task, and the model.
    static func losses(_ configuration: TrainingConfiguration, in output: URL) throws -> (losses: [Double], model: SequenceClassifier) {
        let tokenizer = try Fixtures.tokenizer()
        let (model, generator) = Fixtures.model(seed: 1, vocabularySize: tokenizer.vocabularySize)
        let trainer = try Fixtures.trainer(
            configuration, model: model, generator: generator, examples: Fixtures.examples(count: 48, tokenizer: tokenizer), output: output)
        _ = try trainer.train()
        return (try MetricsLogReader(directory: output).values("loss", split: "train"), model)
    }

    /// The run of `TrainerTests.lossFallsAndDevAccuracyRisesOnALearnableTask` in bf16: its loss falls as far, and
    /// its first update's loss, on the same initial weights and batch, is the f32 one up to bf16 rounding (the
    /// logits move by about 2⁻⁸ of their magnitude; 2% of a loss near ln 2 leaves room for that and no more).
    @Test(.enabled(if: bf16Available)) func aBF16RunLearnsLikeTheF32One() throws {
        let scratch = try ScratchDirectory()
        var configuration = Fixtures.configuration(epochs: 8, batchSize: 8)
        configuration.warmupRatio = 0.1
        configuration.learningRate = 5e-3
        let exact = try Self.losses(configuration, in: scratch.path("f32"))
        configuration.matmulPrecision = .bf16
        let (losses, model) = try Self.losses(configuration, in: scratch.path("bf16"))

        let linears = model.namedModules().compactMap { $0.module as? Linear }
        #expect(!linears.isEmpty && linears.allSatisfy { $0.matmulPrecision == .bf16 })
        #expect(exact.model.namedModules().allSatisfy { $0.module.matmulPrecision == .f32 })
        try #require(losses.count == exact.losses.count && !losses.isEmpty)
        #expect(isClose(losses[0], exact.losses[0], relative: 0.02, absolute: 0), "first loss \(losses[0]) against f32's \(exact.losses[0])")
        #expect(losses != exact.losses, "bf16 changed nothing")
        let firstEpoch = losses.prefix(6).reduce(0, +) / 6, lastEpoch = losses.suffix(6).reduce(0, +) / 6
        #expect(lastEpoch < firstEpoch * 0.3, "mean loss of the first epoch \(firstEpoch), of the last \(lastEpoch)")
    }

    /// A checkpoint resumes only with its matmul precision; one written before the setting existed is f32's.
    @Test(.enabled(if: bf16Available)) func aCheckpointResumesOnlyWithItsMatmulPrecision() throws {
        let scratch = try ScratchDirectory()
        var mixed = ResumeTests.configuration()
        mixed.matmulPrecision = .bf16
        _ = try ResumeTests.run(in: scratch.url, configuration: mixed) { try $0.train(stopAfterStep: 2) }
        let state = scratch.path("checkpoint/state.json")
        #expect(throws: TrainingError.checkpointMismatch(file: state.path, setting: "matmul_precision", checkpoint: "bf16", current: "f32")) {
            _ = try ResumeTests.run(in: scratch.url) { try $0.train(resume: true) }
        }
        let resumed = try ResumeTests.run(in: scratch.url, configuration: mixed) { try $0.train(resume: true, stopAfterStep: 3) }
        #expect(resumed.summary.steps == 3)

        let text = try String(contentsOf: state, encoding: .utf8)
        let older = text.split(separator: "\n").filter { !$0.contains("\"matmul_precision\"") }.joined(separator: "\n")
        #expect(older != text)
        try older.write(to: state, atomically: true, encoding: .utf8)
        #expect(throws: TrainingError.checkpointMismatch(file: state.path, setting: "matmul_precision", checkpoint: "f32", current: "bf16")) {
            _ = try ResumeTests.run(in: scratch.url, configuration: mixed) { try $0.train(resume: true) }
        }
        #expect(!(try ResumeTests.run(in: scratch.url) { try $0.train(resume: true) }).summary.stoppedEarly)
    }

    /// On a CPU without AVX512-BF16 or AMX the setting is refused, saying what is missing; f32 runs anywhere.
    @Test func aCPUWithoutBF16IsRefusedByName() throws {
        var configuration = TrainingConfiguration()
        configuration.matmulPrecision = .bf16
        let reason = "cannot run on this CPU: a bf16 matmul needs AVX512-BF16 or AMX-BF16 instructions, and this CPU has neither"
        #expect(throws: TrainingError.invalidSetting(.matmulPrecision, reason)) { try configuration.validate(on: CPUFeatures()) }
        var withBF16 = CPUFeatures()
        withBF16.avx512BF16 = true
        try configuration.validate(on: withBF16)
        configuration.matmulPrecision = .f32
        try configuration.validate(on: CPUFeatures())
    }
}
