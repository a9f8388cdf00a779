import Datasets
import Foundation
import Tensors
import Testing
import Training

/// Batches of one one-token example each, labelled with its epoch and position, recording what was asked.
private final class LabelledPositions: BatchSource {
    let batchesPerEpoch: Int
    /// How many batches each epoch really has (fewer than announced, to test the error).
    let available: Int
    var requests: [(epoch: Int, from: Int)] = []

    init(batchesPerEpoch: Int, available: Int? = nil) {
        self.batchesPerEpoch = batchesPerEpoch
        self.available = available ?? batchesPerEpoch
    }

    var exampleCount: Int { batchesPerEpoch }

    func batches(epoch: Int, from batchIndex: Int) -> AnyIterator<Batch> {
        requests.append((epoch, batchIndex))
        var index = batchIndex
        let available = available
        return AnyIterator {
            guard index < available else { return nil }
            defer { index += 1 }
            return Batch(
                batchSize: 1, sequenceLength: 1, ids: [Int32(index)], typeIds: [0], attentionMask: [1],
                labels: RegressionTargets([Float(epoch)]), exampleIndices: [index], tokenCount: 1)
        }
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
        #expect(source.requests.map { [$0.epoch, $0.from] } == [[0, 0], [1, 0]])
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
}
