import Datasets
import Testing

@Suite struct EpochPlanTests {
    private let lengths = (0..<1000).map { ($0 * 7919) % 61 + 3 }

    @Test func sequentialKeepsDatasetOrder() {
        let plan = EpochPlan(lengths: Array(repeating: 5, count: 10), batchSize: 4, order: .sequential, seed: 9, epoch: 3)
        #expect(plan.batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
    }

    @Test(arguments: [BatchOrder.sequential, .shuffled, .groupedByLength(), .groupedByLength(megaBatchFactor: 3)])
    func everyExampleAppearsExactlyOnce(order: BatchOrder) {
        let plan = EpochPlan(lengths: lengths, batchSize: 32, order: order, seed: 1, epoch: 0)
        #expect(plan.batches.flatMap { $0 }.sorted() == Array(0..<1000))
        #expect(plan.count == 32)
        #expect(plan.batches.filter { $0.count != 32 }.map(\.count) == [8])
    }

    @Test func shuffleIsAFunctionOfSeedAndEpoch() {
        let plan = { (seed: UInt64, epoch: Int) in
            EpochPlan(lengths: self.lengths, batchSize: 16, order: .shuffled, seed: seed, epoch: epoch).batches
        }
        #expect(plan(5, 1) == plan(5, 1))
        #expect(plan(5, 1) != plan(5, 2))
        #expect(plan(5, 1) != plan(6, 1))
        #expect(plan(5, 1).flatMap { $0 } != Array(0..<1000))
    }

    @Test func groupingByLengthMakesBatchesOfSimilarLength() {
        let grouped = EpochPlan(lengths: lengths, batchSize: 16, order: .groupedByLength(megaBatchFactor: 50), seed: 4, epoch: 0)
        let shuffled = EpochPlan(lengths: lengths, batchSize: 16, order: .shuffled, seed: 4, epoch: 0)
        // Padding cost: sum over batches of (longest * size) - real tokens.
        func padding(_ plan: EpochPlan) -> Int {
            plan.batches.reduce(0) { total, batch in
                let batchLengths = batch.map { lengths[$0] }
                return total + (batchLengths.max() ?? 0) * batch.count - batchLengths.reduce(0, +)
            }
        }
        #expect(padding(grouped) * 4 < padding(shuffled))
        // The factor is lowered to 1000 / (4 * 16) = 15 mega-batches of 15 batches, so within each run of
        // batches from one mega-batch lengths are sorted; the batch order itself is shuffled.
        let firstBatchLengths = grouped.batches.map { lengths[$0[0]] }
        #expect(firstBatchLengths != firstBatchLengths.sorted(by: >))
        for batch in grouped.batches {
            let batchLengths = batch.map { lengths[$0] }
            #expect(batchLengths == batchLengths.sorted(by: >))
        }
    }

    @Test func remainingBatchesForResumption() {
        let plan = EpochPlan(lengths: lengths, batchSize: 100, order: .shuffled, seed: 11, epoch: 0)
        #expect(Array(plan.remainingBatches(from: 7)) == Array(plan.batches[7...]))
        #expect(plan.remainingBatches(from: 10).isEmpty)
        #expect(plan.remainingBatches(from: 99).isEmpty)
        #expect(Array(plan.remainingBatches(from: 0)) == plan.batches)
    }
}
