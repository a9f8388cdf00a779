import Datasets
import Testing

/// Cutting a batch by rows, as a data-parallel run shares a global batch out among its processes.
@Suite struct BatchRowsTests {
    private let examples = [
        TokenizedExample(ids: [101, 7, 102], label: nil, index: 10),
        TokenizedExample(ids: [101, 8, 9, 102, 5, 102], typeIds: [0, 0, 0, 0, 1, 1], label: nil, index: 11),
        TokenizedExample(ids: [101, 102], label: nil, index: 12),
    ]

    @Test func rowsKeepThePaddedLengthAndTheirLabels() throws {
        let batch = Batch(padding: examples, padId: 0, labels: ClassLabels([1, 0, 1]))
        let rows = try #require(batch.rows(1..<3))
        #expect(rows.batchSize == 2 && rows.sequenceLength == 6)
        #expect(rows.ids == [101, 8, 9, 102, 5, 102, 101, 102, 0, 0, 0, 0])
        #expect(rows.typeIds == [0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0])
        #expect(rows.attentionMask == [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0])
        #expect(rows.exampleIndices == [11, 12])
        #expect(rows.tokenCount == 8)
        #expect(rows.labels(as: ClassLabels.self) == ClassLabels([0, 1]))
        #expect(batch.rows(0..<3) == batch)
    }

    @Test func everyKindOfLabelsIsCutByRows() throws {
        let tokens = TokenLabels((0..<18).map(Int32.init))
        #expect(try #require(Batch(padding: examples, padId: 0, labels: tokens).rows(2..<3)).labels(as: TokenLabels.self)
            == TokenLabels([12, 13, 14, 15, 16, 17]))
        let targets = RegressionTargets([0.5, 1.5, 2.5])
        #expect(try #require(Batch(padding: examples, padId: 0, labels: targets).rows(0..<1)).labels(as: RegressionTargets.self)
            == RegressionTargets([0.5]))
        let spans = SpanLabels(starts: [1, 2, 3], ends: [4, 5, 6])
        #expect(try #require(Batch(padding: examples, padId: 0, labels: spans).rows(1..<2)).labels(as: SpanLabels.self)
            == SpanLabels(starts: [2], ends: [5]))
        #expect(try #require(Batch(padding: examples, padId: 0, labels: nil).rows(0..<2)).labels == nil)
    }

    @Test func labelsThatCannotBeCutMakeNoRows() {
        struct SentenceOrder: BatchLabels, Equatable { var swapped: Bool }
        #expect(Batch(padding: examples, padId: 0, labels: SentenceOrder(swapped: true)).rows(0..<1) == nil)
    }
}
