import Datasets
import Tensors
import Testing
import Tokenizers

@Suite struct FixedMaskingCollatorTests {
    /// Each row of `batch`: its masked ids and labels without padding.
    private static func rows(_ batch: Batch) throws -> [(ids: [Int32], labels: [Int32])] {
        let labels = try #require(batch.labels(as: TokenLabels.self)).ids
        return (0..<batch.batchSize).map { row in
            let start = row * batch.sequenceLength
            let length = batch.attentionMask[start..<(start + batch.sequenceLength)].filter { $0 == 1 }.count
            return (Array(batch.ids[start..<(start + length)]), Array(labels[start..<(start + length)]))
        }
    }

    @Test func aSequenceIsMaskedTheSameWayInAnyBatchOrOrder() throws {
        let tokenizer = try TokenSequenceStreamTests.tokenizer()
        let collator = try FixedMaskingCollator(tokenizer: tokenizer, seed: 4)
        let examples = MaskedLanguageModelCollatorTests.examples()
        let whole = try Self.rows(collator.collate(examples))
        // In batches of 5, in reverse order, from a second collator: the same masks row for row.
        let other = try FixedMaskingCollator(tokenizer: tokenizer, seed: 4)
        let reversed = Array(examples.reversed())
        let pieces = try stride(from: 0, to: reversed.count, by: 5).flatMap { start in
            try Self.rows(other.collate(Array(reversed[start..<min(start + 5, reversed.count)])))
        }
        for (row, piece) in zip(whole, pieces.reversed()) {
            #expect(row.ids == piece.ids && row.labels == piece.labels)
        }
        let padded = collator.collate(examples)
        let labels = try #require(padded.labels(as: TokenLabels.self)).ids
        #expect(zip(labels, padded.attentionMask).allSatisfy { $1 == 1 || $0 == TokenLabels.ignored }, "padding is never a label")
        // About 15% of the 2016 real tokens are chosen (Binomial sd 16; about 4 deviations allowed).
        #expect(abs(labels.filter { $0 != TokenLabels.ignored }.count - 302) < 65)
    }

    @Test func theMasksFollowTheSeedAndTheTokens() throws {
        let tokenizer = try TokenSequenceStreamTests.tokenizer()
        let examples = MaskedLanguageModelCollatorTests.examples()
        let seeded = { (seed: UInt64) in try FixedMaskingCollator(tokenizer: tokenizer, seed: seed).collate(examples) }
        #expect(try seeded(1) == seeded(1))
        #expect(try seeded(1) != seeded(2))
        // The labels hold the original tokens where chosen.
        let original = Batch(padding: examples, padId: 0, labels: nil)
        let labels = try #require(try seeded(1).labels(as: TokenLabels.self)).ids
        #expect(labels.indices.allSatisfy { labels[$0] == TokenLabels.ignored || labels[$0] == original.ids[$0] })
    }
}
