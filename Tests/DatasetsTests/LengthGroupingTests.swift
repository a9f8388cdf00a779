import Datasets
import Foundation
import TestSupport
import Testing
import Tokenizers

/// `StreamedBatches` with a grouping pool: the same sequences as in stream order, pool by pool, batched by length,
/// and a restored source that continues mid-pool with the very batches that would have come next.
struct LengthGroupingTests {
    let tokenizer: BertTokenizer
    let corpus: CorpusFiles
    let scratch: ScratchDirectory

    /// 24 lines of 1 to 8 words; each line is one sequence (packing `.split`, at most 10 tokens).
    init() throws {
        let words = ["good", "bad", "movie", "plot", "fun", "dull", "the", "a"]
        tokenizer = try BertTokenizer(vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words)
        scratch = try ScratchDirectory()
        let lines = (0..<24).map { line in (0...(line * 5 % 8)).map { words[($0 + line) % words.count] }.joined(separator: " ") }
        try lines.joined(separator: "\n").write(to: scratch.path("corpus.txt"), atomically: true, encoding: .utf8)
        corpus = CorpusFiles(paths: [scratch.path("corpus.txt").path], boundary: .line, tokenizer: tokenizer, maxLength: 10, packing: .split)
    }

    func source(pool: Int) -> StreamedBatches {
        StreamedBatches(batchSize: 3, batchesPerEpoch: 8, collator: PaddingCollator(padId: 0), groupingPool: pool, seed: 1,
                        openStream: corpus.open(at:))
    }

    func batches(_ source: StreamedBatches, count: Int) throws -> [[Int]] {
        try (0..<count).map { _ in try #require(try source.nextBatch()).exampleIndices }
    }

    /// The real length of each row.
    static func rowLengths(_ batch: Batch) -> [Int] {
        (0..<batch.batchSize).map { row in
            batch.attentionMask[(row * batch.sequenceLength)..<((row + 1) * batch.sequenceLength)].reduce(0) { $0 + Int($1) }
        }
    }

    @Test func poolsHoldTheSameSequencesBatchedByLength() throws {
        let plain = source(pool: 1), grouped = source(pool: 4)
        try plain.seek(epoch: 0, batchIndex: 0)
        try grouped.seek(epoch: 0, batchIndex: 0)
        var plainPadding = 0, groupedPadding = 0
        for _ in 0..<2 {  // two pools of 4 batches
            let a = try (0..<4).map { _ in try #require(try plain.nextBatch()) }
            let b = try (0..<4).map { _ in try #require(try grouped.nextBatch()) }
            #expect(Set(a.flatMap(\.exampleIndices)) == Set(b.flatMap(\.exampleIndices)))
            plainPadding += a.reduce(0) { $0 + $1.ids.count - $1.tokenCount }
            groupedPadding += b.reduce(0) { $0 + $1.ids.count - $1.tokenCount }
            // Within a pool, batches are consecutive runs of the sequences sorted by length.
            let lengths = b.map(Self.rowLengths).sorted { ($0.min() ?? 0) < ($1.min() ?? 0) }
            for (lower, upper) in zip(lengths, lengths.dropFirst()) { #expect((lower.max() ?? 0) <= (upper.min() ?? 0), "\(lengths)") }
        }
        #expect(groupedPadding < plainPadding, "padding \(groupedPadding) grouped, \(plainPadding) in stream order")
    }

    @Test func aRestoredSourceContinuesMidPool() throws {
        let whole = source(pool: 4)
        try whole.seek(epoch: 0, batchIndex: 0)
        let expected = try batches(whole, count: 7)
        for served in [1, 4, 6] {
            let first = source(pool: 4)
            try first.seek(epoch: 0, batchIndex: 0)
            let head = try batches(first, count: served)
            let state = try #require(try first.savedState())
            let second = source(pool: 4)
            try second.restore(savedState: state)
            try second.seek(epoch: 0, batchIndex: served)
            #expect(head + (try batches(second, count: 7 - served)) == expected, "restored after \(served) batches")
        }
    }
}
