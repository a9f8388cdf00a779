import Foundation
import Datasets
import Evaluation
import Models
import TestSupport
import Tensors
import Testing
import Training

/// The data-parallel path of `Trainer` without MPI: two trainers on two threads of this process, joined by an
/// in-memory process group, against one trainer with their global batch.
struct InProcessGroupTests {
    /// The ways of summing gradients: overlapped with the backward pass or after it, in one bucket for the whole
    /// tiny model or in buckets of 100 floats (about 40 in flight at once, some parameters larger than a bucket).
    static let reductions = [(overlapped: true, bucket: 1 << 20), (true, 100), (false, 100)]

    /// With dropout: each process draws the masks one process would draw on its rows of the global batch.
    @Test(arguments: reductions)
    func twoTrainersOfHalfTheBatchReachTheWeightsOfOne(overlapped: Bool, bucket: Int) throws {
        let tokenizer = try Fixtures.tokenizer()
        let examples = Fixtures.examples(count: 37, tokenizer: tokenizer)  // batches of 8, 8, 8, 8, 5 (split 2/3)
        var configuration = Fixtures.configuration(epochs: 2, batchSize: 8)
        configuration.gradientAccumulation = 2
        (configuration.overlapsCommunication, configuration.allReduceBucketFloats) = (overlapped, bucket)
        let scratch = try ScratchDirectory()
        let (single, singleGenerator) = Fixtures.model(seed: 5, dropout: 0.1, vocabularySize: tokenizer.vocabularySize)
        let expected = try Fixtures.trainer(
            configuration, model: single, generator: singleGenerator, examples: examples, output: scratch.path("single")
        ).train()

        configuration.batchSize = 4
        let ranks = try Self.train(
            processes: 2, configuration, seed: 5, examples: examples, vocabularySize: tokenizer.vocabularySize, scratch: scratch)
        let leader = ranks[0].summary, follower = ranks[1].summary
        #expect(leader.steps == expected.steps && follower.steps == expected.steps)
        let lastLoss = try #require(leader.lastLoss), expectedLoss = try #require(expected.lastLoss)
        #expect(isClose(lastLoss, expectedLoss, relative: 1e-5, absolute: 0), "\(lastLoss) vs \(expectedLoss)")

        for replica in ranks.map(\.run.replica) {
            expectSameWeights(Fixtures.weights(replica.0), Fixtures.weights(single), keyBiasNoise: 1e-6)
        }
        // Process 0 alone writes the run's files.
        #expect(FileManager.default.fileExists(atPath: scratch.path("rank0/model.safetensors").path))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("rank1").path))
    }

    /// Three processes on a last batch of two rows: one process has no rows and draws no dropout keys, and the
    /// generator it continues with in the next epoch must still be the one process's. That process has no
    /// backward pass to overlap: it sums zeros, bucket by bucket in the others' order.
    @Test(arguments: reductions)
    func aProcessWithoutRowsKeepsTheGeneratorInStep(overlapped: Bool, bucket: Int) throws {
        let tokenizer = try Fixtures.tokenizer()
        let examples = Fixtures.examples(count: 14, tokenizer: tokenizer)  // global batches of 6, 6, 2
        var configuration = Fixtures.configuration(epochs: 2, batchSize: 6)
        (configuration.overlapsCommunication, configuration.allReduceBucketFloats) = (overlapped, bucket)
        let scratch = try ScratchDirectory()
        let (single, singleGenerator) = Fixtures.model(seed: 6, dropout: 0.1, vocabularySize: tokenizer.vocabularySize)
        _ = try Fixtures.trainer(
            configuration, model: single, generator: singleGenerator, examples: examples, output: scratch.path("single")
        ).train()

        configuration.batchSize = 2
        let ranks = try Self.train(
            processes: 3, configuration, seed: 6, examples: examples, vocabularySize: tokenizer.vocabularySize, scratch: scratch)
        for replica in ranks.map(\.run.replica) {
            expectSameWeights(Fixtures.weights(replica.0), Fixtures.weights(single), keyBiasNoise: 1e-6)
            #expect(replica.1.state == singleGenerator.state)
        }
    }

    /// `processes` replicas of the fixture model (seed `seed`, dropout 0.1) trained together, one thread each.
    private static func train(
        processes: Int, _ configuration: TrainingConfiguration, seed: UInt64, examples: [TokenizedExample],
        vocabularySize: Int, scratch: ScratchDirectory
    ) throws -> [(run: (replica: (SequenceClassifier, RandomGenerator), trainer: Trainer), summary: TrainingSummary)] {
        try InProcessGroup.trainTogether(processes) { group in
            let replica = Fixtures.model(seed: seed, dropout: 0.1, vocabularySize: vocabularySize)
            let trainer = try Fixtures.trainer(
                configuration, model: replica.0, generator: replica.1, examples: examples,
                output: scratch.path("rank\(group.rank)"), processGroup: group)
            return (replica, trainer)
        } train: { try $0.trainer.train() }
    }

    /// Masked-LM training takes the mean over the masked tokens, which the two shares of a batch hold in different
    /// numbers (15% of the tokens, drawn at random): each process weights its mean by its share of the batch's
    /// masked tokens, so that two processes still follow one. With dropout, as in the CLI.
    @Test func twoProcessesOfMaskedLanguageModellingReachTheWeightsOfOne() throws {
        let workspace = try MaskedLanguageModelRunTests.Workspace()
        var request = workspace.request(output: "single", steps: 6, freezeEncoder: false)
        request.heldOutPath = nil
        request.training.batchSize = 8
        request.training.learningRate = 1e-3
        let single = try MaskedLanguageModelRun(request, progressOutput: Fixtures.silent)
        request.training.batchSize = 4
        request.outputDirectory = workspace.scratch.path("parallel")
        try InProcessGroup.expectRanks(2, toFollow: single, keyBiasNoise: 1e-6) { group in
            try MaskedLanguageModelRun(request, progressOutput: Fixtures.silent, processGroup: group)
        } train: { try $0.train() } weights: { Fixtures.weights($0.model) }
    }

    /// A batch source built for one process (batches of `batchSize`) is refused in a group, naming the sizes.
    @Test func batchesOfOneProcessAreRefusedInAGroup() throws {
        let tokenizer = try Fixtures.tokenizer()
        let examples = Fixtures.examples(count: 12, tokenizer: tokenizer)
        let configuration = Fixtures.configuration(batchSize: 4)
        let (model, generator) = Fixtures.model(seed: 5, vocabularySize: tokenizer.vocabularySize)
        let scratch = try ScratchDirectory()
        let trainer = try Trainer(
            configuration: configuration, modules: [("", model)], generator: generator,
            batches: PlannedBatches(
                batcher: try Batcher(examples: examples, batchSize: 4, padId: 0, maxLength: 32), order: .shuffled, seed: 1),
            outputDirectory: scratch.url,
            loss: { batch in TrainingLoss(try SupervisedLoss.of(logits: model(EncoderInput(batch)).logits, batch: batch)) },
            evaluation: nil, exportModel: { _ in }, progressOutput: Fixtures.silent,
            processGroup: InProcessGroup.claiming(size: 2))
        #expect(throws: TrainingError.notGlobalBatch(rows: 4, expected: 8, processes: 2)) { try trainer.train() }
    }

    @Test func aProcessNotStartedByMPIRunIsOnItsOwn() throws {
        let world = try ProcessGroups.joinLaunchingJob(environment: ["PATH": "/usr/bin"])
        #expect(world is SingleProcess && world.rank == 0 && world.size == 1 && world.isLeader)
        #expect(try world.any(true) && !world.any(false))
        #expect(throws: ProcessGroupError.self) { try ProcessGroups.joinLaunchingJob(environment: ["PMI_SIZE": "2"]) }
    }
}
