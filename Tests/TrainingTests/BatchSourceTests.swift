import Datasets
import Foundation
import Tensors
import Testing
import TestSupport
import Training

/// Batches of one one-token example each, labelled with its epoch and position, recording the seeks.
private final class LabelledPositions: BatchSource {
    let batchesPerEpoch: Int
    /// How many batches each epoch really has (fewer than announced, to test the error).
    let available: Int
    var seeks: [[Int]] = []
    private var epoch = 0, index = 0

    init(batchesPerEpoch: Int, available: Int? = nil) {
        self.batchesPerEpoch = batchesPerEpoch
        self.available = available ?? batchesPerEpoch
    }

    var exampleCount: Int { batchesPerEpoch }

    func seek(epoch: Int, batchIndex: Int) {
        seeks.append([epoch, batchIndex])
        (self.epoch, index) = (epoch, batchIndex)
    }

    func nextBatch() -> Batch? {
        guard index < available else { return nil }
        defer { index += 1 }
        return Batch(
            batchSize: 1, sequenceLength: 1, ids: [Int32(index)], typeIds: [0], attentionMask: [1],
            labels: RegressionTargets([Float(epoch)]), exampleIndices: [index], tokenCount: 1)
    }
}

@Suite struct BatchSourceTests {
    @Test func theTrainerPullsEveryBatchOfEachEpochInOrder() throws {
        let scratch = try ScratchDirectory()
        let source = LabelledPositions(batchesPerEpoch: 5)
        var seen: [[Int]] = []
        var configuration = Fixtures.configuration(epochs: 2, batchSize: 1, accumulation: 2)
        configuration.maxSteps = 5  // 3 updates per epoch (2 + 2 + 1 batches): the second epoch is cut short
        let trainer = try Trainer(
            configuration: configuration, modules: [], generator: nil, batches: source, outputDirectory: scratch.url,
            loss: { batch in
                seen.append([Int(batch.labels(as: RegressionTargets.self)?.values[0] ?? -1), batch.exampleIndices[0]])
                return TrainingLoss(Tensor(shape: [1], values: [0], requiresGrad: true))
            },
            evaluation: nil, exportModel: { _ in }, progressOutput: Fixtures.silent)
        #expect(trainer.plan.updatesPerEpoch == 3 && trainer.plan.totalSteps == 5)
        _ = try trainer.train()
        #expect(seen == [[0, 0], [0, 1], [0, 2], [0, 3], [0, 4], [1, 0], [1, 1], [1, 2], [1, 3]])
        #expect(source.seeks == [[0, 0], [1, 0]])
    }

    @Test func aSourceThatEndsBeforeItsAnnouncedBatchesIsAnError() throws {
        let scratch = try ScratchDirectory()
        let trainer = try Trainer(
            configuration: Fixtures.configuration(epochs: 1, batchSize: 1), modules: [], generator: nil,
            batches: LabelledPositions(batchesPerEpoch: 4, available: 2), outputDirectory: scratch.url,
            loss: { _ in TrainingLoss(Tensor(shape: [1], values: [0], requiresGrad: true)) },
            evaluation: nil, exportModel: { _ in }, progressOutput: Fixtures.silent)
        #expect(throws: TrainingError.batchSourceEnded(epoch: 0, batchIndex: 2, batchesPerEpoch: 4)) {
            try trainer.train()
        }
    }

    /// The batches a masked-language-model run over a streamed corpus trains on, recorded by its loss.
    private static func streamedRun(
        corpus: URL, output: URL, resume: Bool = false, stopAfterStep: Int? = nil
    ) throws -> [[Int32]] {
        let tokenizer = try Fixtures.tokenizer()
        let generator = RandomGenerator(seed: 5)
        var configuration = Fixtures.configuration(epochs: 2, batchSize: 3, accumulation: 2)
        configuration.maxLength = 6
        let source = StreamedBatches(
            batchSize: 3, batchesPerEpoch: 5,
            collator: try MaskedLanguageModelCollator(tokenizer: tokenizer, generator: generator, maskingProbability: 0.3)
        ) { position in
            try TokenSequenceStream(url: corpus, tokenizer: tokenizer, maxLength: 6, from: position, chunkSize: 16)
        }
        var seen: [[Int32]] = []
        let trainer = try Trainer(
            configuration: configuration, modules: [], generator: generator, batches: source, outputDirectory: output,
            loss: { batch in
                seen.append(batch.ids + (batch.labels(as: TokenLabels.self)?.ids ?? []) + batch.exampleIndices.map(Int32.init))
                _ = generator.nextUInt64()  // as dropout would
                return TrainingLoss(Tensor(shape: [1], values: [0], requiresGrad: true))
            },
            evaluation: nil, exportModel: { _ in }, progressOutput: Fixtures.silent)
        _ = try trainer.train(resume: resume, stopAfterStep: stopAfterStep)
        return seen
    }

    @Test func aStreamedMaskedLanguageModelRunResumesWithTheSameBatches() throws {
        let scratch = try ScratchDirectory()
        // 21 words in 7 lines: 6 sequences of at most 4 words, fewer than the 30 the run takes, so it wraps around.
        let lines = Fixtures.sentences(count: 7).map(\.text)
        let corpus = scratch.path("corpus.txt")
        try lines.joined(separator: "\n").write(to: corpus, atomically: true, encoding: .utf8)

        let whole = try Self.streamedRun(corpus: corpus, output: scratch.path("whole"))
        #expect(whole.count == 10)  // 2 epochs of 5 batches
        for stop in [1, 3, 4] {
            let output = scratch.path("parts-\(stop)")
            let first = try Self.streamedRun(corpus: corpus, output: output, stopAfterStep: stop)
            let second = try Self.streamedRun(corpus: corpus, output: output, resume: true)
            #expect(first + second == whole, "stopped after update \(stop)")
        }
    }
}
