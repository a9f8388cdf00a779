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
    /// With dropout: each process draws the masks one process would draw on its rows of the global batch.
    @Test func twoTrainersOfHalfTheBatchReachTheWeightsOfOne() throws {
        let tokenizer = try Fixtures.tokenizer()
        let examples = Fixtures.examples(count: 37, tokenizer: tokenizer)  // batches of 8, 8, 8, 8, 5 (split 2/3)
        var configuration = Fixtures.configuration(epochs: 2, batchSize: 8)
        configuration.gradientAccumulation = 2
        let scratch = try ScratchDirectory()
        let (single, singleGenerator) = Fixtures.model(seed: 5, dropout: 0.1, vocabularySize: tokenizer.vocabularySize)
        let expected = try Fixtures.trainer(
            configuration, model: single, generator: singleGenerator, examples: examples, output: scratch.path("single")
        ).train()

        configuration.batchSize = 4
        let (replicas, ranks) = try Self.train(
            processes: 2, configuration, seed: 5, examples: examples, vocabularySize: tokenizer.vocabularySize, scratch: scratch)
        let leader = try ranks.summary(0), follower = try ranks.summary(1)
        #expect(leader.steps == expected.steps && follower.steps == expected.steps)
        let lastLoss = try #require(leader.lastLoss), expectedLoss = try #require(expected.lastLoss)
        #expect(isClose(lastLoss, expectedLoss, relative: 1e-5, absolute: 0), "\(lastLoss) vs \(expectedLoss)")

        for replica in replicas {
            Fixtures.expectSameWeights(Fixtures.weights(replica.0), Fixtures.weights(single), keyBiasNoise: 1e-6)
        }
        // Process 0 alone writes the run's files.
        #expect(FileManager.default.fileExists(atPath: scratch.path("rank0/model.safetensors").path))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("rank1").path))
    }

    /// Three processes on a last batch of two rows: one process has no rows and draws no dropout keys, and the
    /// generator it continues with in the next epoch must still be the one process's.
    @Test func aProcessWithoutRowsKeepsTheGeneratorInStep() throws {
        let tokenizer = try Fixtures.tokenizer()
        let examples = Fixtures.examples(count: 14, tokenizer: tokenizer)  // global batches of 6, 6, 2
        var configuration = Fixtures.configuration(epochs: 2, batchSize: 6)
        let scratch = try ScratchDirectory()
        let (single, singleGenerator) = Fixtures.model(seed: 6, dropout: 0.1, vocabularySize: tokenizer.vocabularySize)
        _ = try Fixtures.trainer(
            configuration, model: single, generator: singleGenerator, examples: examples, output: scratch.path("single")
        ).train()

        configuration.batchSize = 2
        let (replicas, ranks) = try Self.train(
            processes: 3, configuration, seed: 6, examples: examples, vocabularySize: tokenizer.vocabularySize, scratch: scratch)
        for rank in 0..<3 { _ = try ranks.summary(rank) }
        for replica in replicas {
            Fixtures.expectSameWeights(Fixtures.weights(replica.0), Fixtures.weights(single), keyBiasNoise: 1e-6)
            #expect(replica.1.state == singleGenerator.state)
        }
    }

    /// `processes` replicas of the fixture model (seed `seed`, dropout 0.1) trained together, one thread each
    /// (`concurrentPerform` may run fewer at once than there are ranks, which would then wait forever).
    private static func train(
        processes: Int, _ configuration: TrainingConfiguration, seed: UInt64, examples: [TokenizedExample],
        vocabularySize: Int, scratch: ScratchDirectory
    ) throws -> (replicas: [(SequenceClassifier, RandomGenerator)], ranks: Ranks) {
        let hub = Hub(size: processes)
        let replicas = (0..<processes).map { _ in Fixtures.model(seed: seed, dropout: 0.1, vocabularySize: vocabularySize) }
        let ranks = Ranks(try (0..<processes).map { rank in
            try Fixtures.trainer(
                configuration, model: replicas[rank].0, generator: replicas[rank].1, examples: examples,
                output: scratch.path("rank\(rank)"), processGroup: InProcessGroup(rank: rank, hub: hub))
        })
        let finished = DispatchGroup()
        for rank in 0..<processes {
            finished.enter()
            Thread { ranks.train(rank); finished.leave() }.start()
        }
        finished.wait()
        return (replicas, ranks)
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
            processGroup: InProcessGroup(rank: 0, hub: Hub(size: 1), claimedSize: 2))
        #expect(throws: TrainingError.notGlobalBatch(rows: 4, expected: 8, processes: 2)) { try trainer.train() }
    }

    @Test func aProcessNotStartedByMPIRunIsOnItsOwn() throws {
        let world = try ProcessGroups.joinLaunchingJob(environment: ["PATH": "/usr/bin"])
        #expect(world is SingleProcess && world.rank == 0 && world.size == 1 && world.isLeader)
        #expect(try world.any(true) && !world.any(false))
        #expect(throws: ProcessGroupError.self) { try ProcessGroups.joinLaunchingJob(environment: ["PMI_SIZE": "2"]) }
    }
}

/// A rank of a group whose processes are threads meeting at a ``Hub``.
private final class InProcessGroup: ProcessGroup, @unchecked Sendable {
    let rank: Int
    let hub: Hub
    let size: Int

    /// `claimedSize`: a group that says it has more processes than meet at the hub (to test what the trainer
    /// checks before communicating).
    init(rank: Int, hub: Hub, claimedSize: Int? = nil) {
        self.rank = rank
        self.hub = hub
        size = claimedSize ?? hub.size
    }

    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) {
        hub.exchange(rank: rank, values) { contributions in
            contributions.dropFirst().reduce(contributions[0]) { sum, next in zip(sum, next).map { $0 + $1 } }
        }
    }

    func broadcastFromLeader(_ values: UnsafeMutableBufferPointer<Float>) {
        hub.exchange(rank: rank, values) { $0[0] }
    }

    func abort(message: String, code: Int32) -> Never {
        Issue.record("aborted: \(message)")
        exit(code)
    }
}

/// Where the threads of an ``InProcessGroup`` exchange values: each call waits for every rank's contribution.
private final class Hub: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var contributions: [[Float]]
    private var arrived = 0
    private var round = 0
    private var result: [Float] = []

    init(size: Int) {
        self.size = size
        contributions = Array(repeating: [], count: size)
    }

    func exchange(rank: Int, _ values: UnsafeMutableBufferPointer<Float>, combine: ([[Float]]) -> [Float]) {
        condition.lock()
        defer { condition.unlock() }
        let myRound = round
        contributions[rank] = Array(values)
        arrived += 1
        if arrived == size {
            // The result stays until every rank has read it: none can contribute to the next round before.
            result = combine(contributions)
            arrived = 0
            round += 1
            condition.broadcast()
        } else {
            while round == myRound { condition.wait() }
        }
        _ = values.update(fromContentsOf: result)
    }
}

/// Trainers that train on threads of their own, and their results.
private final class Ranks: @unchecked Sendable {
    // Each trainer is used by one thread only; `results` is guarded by `lock`.
    private let trainers: [Trainer]
    private let lock = NSLock()
    private var results: [Int: Result<TrainingSummary, any Error>] = [:]

    init(_ trainers: [Trainer]) {
        self.trainers = trainers
    }

    func train(_ rank: Int) {
        let result = Result { try trainers[rank].train() }
        lock.withLock { results[rank] = result }
    }

    func summary(_ rank: Int) throws -> TrainingSummary {
        guard let result = lock.withLock({ results[rank] }) else { throw CancellationError() }
        return try result.get()
    }
}
