import Datasets
import Testing

@Suite struct BatcherTests {
    private func example(_ ids: [Int32], typeIds: [Int32]? = nil, label: Label? = .classIndex(0), index: Int)
        -> TokenizedExample
    {
        TokenizedExample(ids: ids, typeIds: typeIds, label: label, index: index)
    }

    @Test func padsToTheLongestExampleInTheBatch() throws {
        let examples = [
            example([101, 7, 102], label: .classIndex(1), index: 10),
            example([101, 8, 9, 102, 5, 102], typeIds: [0, 0, 0, 0, 1, 1], label: .classIndex(0), index: 11),
            example([101, 102], label: .classIndex(1), index: 12),
        ]
        let batcher = try Batcher(examples: examples, batchSize: 2, padId: 0, maxLength: 8)
        let batch = batcher.batch(positions: [0, 1])
        #expect(batch.batchSize == 2)
        #expect(batch.sequenceLength == 6)
        #expect(batch.ids == [101, 7, 102, 0, 0, 0, 101, 8, 9, 102, 5, 102])
        #expect(batch.typeIds == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1])
        #expect(batch.attentionMask == [1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1])
        #expect(batch.labels(as: ClassLabels.self) == ClassLabels([1, 0]))
        #expect(batch.exampleIndices == [10, 11])
        #expect(batch.tokenCount == 9)

        let last = batcher.batch(positions: [2])
        #expect(last.sequenceLength == 2)
        #expect(last.ids == [101, 102])
    }

    @Test func usesTheGivenPadIdAndCarriesRegressionAndMissingLabels() throws {
        let regression = try Batcher(
            examples: [example([1, 2], label: .value(0.5), index: 0), example([3], label: .value(4), index: 1)],
            batchSize: 2, padId: -7, maxLength: 4)
        let batch = regression.batch(positions: [1, 0])
        #expect(batch.ids == [3, -7, 1, 2])
        #expect(batch.labels(as: RegressionTargets.self) == RegressionTargets([4, 0.5]))

        let unlabelled = try Batcher(examples: [example([1], label: nil, index: 0)], batchSize: 1, padId: 0, maxLength: 1)
        #expect(unlabelled.batch(positions: [0]).labels == nil)
    }

    @Test func unlabelledExamplesAmongLabelledOnesAreMarkedMissing() throws {
        let classes = try Batcher(
            examples: [example([1], label: nil, index: 0), example([2], label: .classIndex(1), index: 1)],
            batchSize: 2, padId: 0, maxLength: 1)
        #expect(classes.batch(positions: [0, 1]).labels(as: ClassLabels.self) == ClassLabels([ClassLabels.missing, 1]))
        #expect(classes.batch(positions: [0]).labels == nil)

        let values = try Batcher(
            examples: [example([1], label: .value(2), index: 0), example([2], label: nil, index: 1)],
            batchSize: 2, padId: 0, maxLength: 1)
        let targets = try #require(values.batch(positions: [0, 1]).labels(as: RegressionTargets.self)).values
        #expect(targets[0] == 2 && targets[1].isNaN)
    }

    @Test func rejectsInvalidExamples() {
        #expect(throws: BatchingError.exampleTooLong(index: 3, length: 5, maxLength: 4)) {
            try Batcher(examples: [example([1, 2, 3, 4, 5], index: 3)], batchSize: 1, padId: 0, maxLength: 4)
        }
        #expect(throws: BatchingError.emptyExample(index: 0)) {
            try Batcher(examples: [example([], index: 0)], batchSize: 1, padId: 0, maxLength: 4)
        }
        #expect(throws: BatchingError.typeIdCountMismatch(index: 0, ids: 2, typeIds: 1)) {
            try Batcher(examples: [example([1, 2], typeIds: [0], index: 0)], batchSize: 1, padId: 0, maxLength: 4)
        }
        #expect(throws: BatchingError.mixedLabelKinds(index: 2, firstIndex: 1)) {
            try Batcher(
                examples: [example([1], label: nil, index: 0), example([1], label: .classIndex(0), index: 1),
                           example([1], label: .value(1), index: 2)],
                batchSize: 1, padId: 0, maxLength: 4)
        }
        #expect(throws: BatchingError.invalidBatchSize(0)) {
            try Batcher(examples: [], batchSize: 0, padId: 0, maxLength: 4)
        }
    }

    @Test func resumedBatchesEqualTheTailOfAFullEpoch() throws {
        let examples = (0..<37).map { example(Array(repeating: Int32($0), count: 1 + $0 % 9), index: $0) }
        let batcher = try Batcher(examples: examples, batchSize: 4, padId: 0, maxLength: 16)
        let full = Array(batcher.batches(of: batcher.plan(order: .groupedByLength(), seed: 3, epoch: 2)))
        // A new process rebuilding the plan from (seed, epoch) and skipping the first 6 batches.
        let resumed = Array(batcher.batches(of: batcher.plan(order: .groupedByLength(), seed: 3, epoch: 2), from: 6))
        #expect(full.count == 10)
        #expect(resumed == Array(full[6...]))
        #expect(full.flatMap(\.exampleIndices).sorted() == Array(0..<37))
    }
}
