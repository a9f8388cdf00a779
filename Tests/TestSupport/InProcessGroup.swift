import Foundation
import Testing
import Training

/// A rank of a process group whose processes are threads of this process, meeting at a shared hub: the
/// data-parallel path of `Trainer` without MPI.
public final class InProcessGroup: ProcessGroup, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    private let hub: Hub

    private init(rank: Int, hub: Hub, size: Int) {
        self.rank = rank
        self.hub = hub
        self.size = size
    }

    /// The ranks of a group of `size` processes.
    private static func ranks(_ size: Int) -> [InProcessGroup] {
        let hub = Hub(size: size)
        return (0..<size).map { InProcessGroup(rank: $0, hub: hub, size: size) }
    }

    /// Process 0 of a group that says it has `size` processes while it alone meets at its hub (to test what the
    /// trainer checks before communicating).
    public static func claiming(size: Int) -> InProcessGroup {
        InProcessGroup(rank: 0, hub: Hub(size: 1), size: size)
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) {
        hub.exchange(rank: rank, values) { contributions in
            contributions.dropFirst().reduce(contributions[0]) { sum, next in zip(sum, next).map { $0 + $1 } }
        }
    }

    public func broadcastFromLeader(_ values: UnsafeMutableBufferPointer<Float>) {
        hub.exchange(rank: rank, values) { $0[0] }
    }

    public func abort(message: String, code: Int32) -> Never {
        Issue.record("aborted: \(message)")
        exit(code)
    }

    /// Runs `work(rank)` for ranks 0..<`count`, each on a thread of its own (`concurrentPerform` may run fewer at
    /// once than there are ranks, which would then wait for each other forever), and returns each rank's result.
    private static func runConcurrently<T>(_ count: Int, _ work: @escaping (Int) throws -> T) -> [Result<T, any Error>] {
        // Each rank's work touches only its own objects; the results are guarded by a lock.
        let shared = Shared(work: work, count: count)
        let finished = DispatchGroup()
        for rank in 0..<count {
            finished.enter()
            Thread { shared.run(rank); finished.leave() }.start()
        }
        finished.wait()
        return shared.results.compactMap { $0 }
    }

    /// Makes a run for each rank of a group of `size` (on this thread), trains them together with `train` and
    /// returns each run with its summary; rethrows the first rank's error.
    public static func trainTogether<Run>(
        _ size: Int, makeRun: (InProcessGroup) throws -> Run, train: @escaping (Run) throws -> TrainingSummary
    ) throws -> [(run: Run, summary: TrainingSummary)] {
        let runs = try ranks(size).map(makeRun)
        let results = runConcurrently(size) { try train(runs[$0]) }
        return try zip(runs, results).map { ($0, try $1.get()) }
    }

    /// Trains `single` (one process with the global batch) on its own and, together, a run for each rank of a
    /// group of `size` made by `makeRun`; expects process 0's last loss (the global batch's) and every rank's
    /// `weights` to be the single run's within float reassociation (see ``expectSameWeights``).
    public static func expectRanks<Run>(
        _ size: Int, toFollow single: Run, keyBiasNoise: Double, sourceLocation: SourceLocation = #_sourceLocation,
        makeRun: (InProcessGroup) throws -> Run, train: @escaping (Run) throws -> TrainingSummary,
        weights: (Run) -> [String: [Float]]
    ) throws {
        let expected = try train(single)
        let ranks = try trainTogether(size, makeRun: makeRun, train: train)
        let lastLoss = try #require(ranks[0].summary.lastLoss, sourceLocation: sourceLocation)
        let expectedLoss = try #require(expected.lastLoss, sourceLocation: sourceLocation)
        #expect(isClose(lastLoss, expectedLoss, relative: 1e-5, absolute: 0), "\(lastLoss) vs \(expectedLoss)",
                sourceLocation: sourceLocation)
        for (run, summary) in ranks {
            #expect(summary.steps == expected.steps, sourceLocation: sourceLocation)
            expectSameWeights(weights(run), weights(single), keyBiasNoise: keyBiasNoise, sourceLocation: sourceLocation)
        }
    }

    private final class Shared<T>: @unchecked Sendable {
        let work: (Int) throws -> T
        private let lock = NSLock()
        private var slots: [Result<T, any Error>?]

        init(work: @escaping (Int) throws -> T, count: Int) {
            self.work = work
            slots = Array(repeating: nil, count: count)
        }

        func run(_ rank: Int) {
            let result = Result { try work(rank) }
            lock.withLock { slots[rank] = result }
        }

        var results: [Result<T, any Error>?] { lock.withLock { slots } }
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
