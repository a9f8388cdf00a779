import Datasets
import Foundation
import Tensors
import TestSupport
import Testing
import Tokenizers

/// DistilBERT's masking: exactly ⌈15%⌉ of a batch's tokens, rare tokens chosen more often than frequent ones.
struct SmoothedMaskingTests {
    /// ids 0-4 special; 5 "common", 6 "rare", 7 "other".
    let tokenizer: BertTokenizer
    init() throws { tokenizer = try BertTokenizer(vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "common", "rare", "other"]) }

    func counts(common: Int, rare: Int) -> TokenCounts {
        var counts = TokenCounts(vocabularySize: tokenizer.vocabularySize)
        counts.add(Array(repeating: 5, count: common) + Array(repeating: 6, count: rare) + Array(repeating: 7, count: 10))
        return counts
    }

    /// Sequences holding "common" and "rare" equally often.
    func examples(_ count: Int) -> [TokenizedExample] {
        (0..<count).map { TokenizedExample(ids: [2] + Array(repeating: [5, 6], count: 5).flatMap { $0 } + [3], label: nil, index: $0) }
    }

    @Test func rareTokensAreMaskedMoreOftenThanFrequentOnes() throws {
        // count^-0.7: 1000^-0.7 ≈ 0.0079 against 10^-0.7 ≈ 0.20, so a chosen position is "rare" far more often.
        let collator = try SmoothedMaskingCollator(tokenizer: tokenizer, counts: counts(common: 1000, rare: 10),
                                                   generator: RandomGenerator(seed: 1))
        var chosen = [Int32: Int]()
        for _ in 0..<50 {
            let batch = collator.collate(examples(4))
            let labels = try #require(batch.labels(as: TokenLabels.self)).ids
            // ⌈0.15 × 48 real tokens⌉ = 8 positions per batch, never a special token.
            #expect(labels.filter { $0 != TokenLabels.ignored }.count == 8)
            for label in labels where label != TokenLabels.ignored { chosen[label, default: 0] += 1 }
        }
        #expect(Set(chosen.keys).isSubset(of: [5, 6]))
        let (rare, common) = (chosen[6, default: 0], chosen[5, default: 0])
        // 400 choices among 20 rare and 20 common positions per batch, which uniform choice would split evenly;
        // observed 379 rare to 21 common with this seed (about 25 to 1 per position, the weight ratio, less what
        // drawing without replacement takes from the rare ones). 5 to 1 leaves room for other generators.
        #expect(rare > 5 * common, "rare \(rare), common \(common)")

        // Equal counts: no preference (observed 206 to 194; one standard deviation of the difference is 20).
        let even = try SmoothedMaskingCollator(tokenizer: tokenizer, counts: counts(common: 10, rare: 10), generator: RandomGenerator(seed: 1))
        var evenChosen = [Int32: Int]()
        for _ in 0..<50 {
            for label in try #require(even.collate(examples(4)).labels(as: TokenLabels.self)).ids where label != TokenLabels.ignored {
                evenChosen[label, default: 0] += 1
            }
        }
        #expect(abs(evenChosen[5, default: 0] - evenChosen[6, default: 0]) < 60, "\(evenChosen)")
    }

    @Test func chosenTokensAreReplacedEightyTenTen() throws {
        let collator = try SmoothedMaskingCollator(tokenizer: tokenizer, counts: counts(common: 10, rare: 10), generator: RandomGenerator(seed: 2))
        var masked = 0, kept = 0, total = 0
        for _ in 0..<200 {
            let batch = collator.collate(examples(4))
            let labels = try #require(batch.labels(as: TokenLabels.self)).ids
            for (id, label) in zip(batch.ids, labels) where label != TokenLabels.ignored {
                total += 1
                if id == 4 { masked += 1 } else if id == label { kept += 1 }
            }
        }
        // 1600 choices (observed 81.5% masked, 10.7% kept): 80% ± 3% masked (3 standard deviations); kept 10% plus
        // the random draws that hit the same token (1/8 of 10%).
        #expect(abs(Double(masked) / Double(total) - 0.8) < 0.03, "\(masked)/\(total)")
        #expect(abs(Double(kept) / Double(total) - 0.1125) < 0.03, "\(kept)/\(total)")
    }

    @Test func tokenCountsStreamEveryFileWithoutSpecialTokens() throws {
        let scratch = try ScratchDirectory()
        try "common rare common\n\ncommon".write(to: scratch.path("a.txt"), atomically: true, encoding: .utf8)
        try "other rare".write(to: scratch.path("b.txt"), atomically: true, encoding: .utf8)
        let corpus = CorpusFiles(paths: [scratch.path("a.txt").path, scratch.path("b.txt").path], boundary: .line,
                                 tokenizer: tokenizer, maxLength: 3)
        let counts = try TokenCounts(corpus: corpus)
        #expect(counts.counts == [0, 0, 0, 0, 0, 3, 2, 1])
        #expect(counts.total == 6)
    }
}
