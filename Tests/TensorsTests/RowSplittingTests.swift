import Tensors
import Testing

/// How products by packed weights split their rows: fixed below the trial threshold, measured above it, and the
/// measurement settled as the type's documentation says.
struct RowSplittingTests {
    static let large = RowBlocks.alwaysInBlocks + 1

    @Test func smallProductsRunWholeAndMiddleOnesInBlocksWithoutTrials() {
        let splitting = RowSplitting<String>()
        #expect(splitting.choice(for: "p", rows: 1) == .whole)
        #expect(splitting.choice(for: "p", rows: RowBlocks.size) == .whole)
        #expect(splitting.choice(for: "p", rows: RowBlocks.size + 1) == .blocks)
        #expect(splitting.choice(for: "p", rows: RowBlocks.alwaysInBlocks) == .blocks)
    }

    @Test func aSlowerWholeProductChoosesBlocksAtOnce() {
        let splitting = RowSplitting<String>()
        #expect(splitting.choice(for: "p", rows: Self.large) == .timeBlocks, "blocks are tried first")
        splitting.record(.timeBlocks, nanoseconds: 100, for: "p")
        #expect(splitting.choice(for: "p", rows: Self.large) == .timeWhole)
        splitting.record(.timeWhole, nanoseconds: 300, for: "p")
        #expect(splitting.choice(for: "p", rows: Self.large) == .blocks)
        splitting.record(.timeWhole, nanoseconds: 1, for: "p")
        #expect(splitting.choice(for: "p", rows: Self.large) == .blocks, "a choice made is kept")
    }

    @Test func aFasterWholeProductWinsAfterTwoRunsOfEachByTheFastest() {
        let splitting = RowSplitting<String>()
        for (trial, nanoseconds) in [(RowSplit.timeBlocks, 100 as UInt64), (.timeWhole, 80), (.timeBlocks, 200), (.timeWhole, 90)] {
            #expect(splitting.choice(for: "p", rows: Self.large) == trial, "the two ways in turn")
            splitting.record(trial, nanoseconds: nanoseconds, for: "p")
        }
        #expect(splitting.choice(for: "p", rows: Self.large) == .whole)
        #expect(splitting.choice(for: "q", rows: Self.large) == .timeBlocks, "each problem is measured apart")
    }

    @Test func oneSlowRunDoesNotDecide() {
        let splitting = RowSplitting<String>()
        for (trial, nanoseconds) in [(RowSplit.timeBlocks, 500 as UInt64), (.timeWhole, 80), (.timeBlocks, 60), (.timeWhole, 90)] {
            splitting.record(trial, nanoseconds: nanoseconds, for: "p")
        }
        #expect(splitting.choice(for: "p", rows: Self.large) == .blocks, "blocks' fastest run (60) beats whole's (80)")
    }
}
