import Datasets
import Tensors
import Testing
import Tokenizers

@Suite struct MaskedLanguageModelCollatorTests {
    /// 64 rows of 2 to 65 tokens: `[CLS] w... [SEP]`, ids 5...24 between the special tokens 0...4.
    static func examples() -> [TokenizedExample] {
        (0..<64).map { row in
            TokenizedExample(ids: [2] + (0..<row).map { Int32(5 + ($0 * 7 + row) % 20) } + [3], label: nil, index: row)
        }
    }

    @Test func masksAboutFifteenPercentOfRealTokensEightyTenTen() throws {
        let tokenizer = try TokenSequenceStreamTests.tokenizer()
        let collator = try MaskedLanguageModelCollator(tokenizer: tokenizer, generator: RandomGenerator(seed: 3))
        let examples = Self.examples()
        let original = Batch(padding: examples, padId: 0, labels: nil)
        let batch = collator.collate(examples)
        let labels = try #require(batch.labels(as: TokenLabels.self)).ids
        #expect(batch.attentionMask == original.attentionMask && batch.typeIds == original.typeIds)

        var chosen = 0, masked = 0, random = 0, kept = 0
        for position in labels.indices {
            let id = original.ids[position]
            guard labels[position] != TokenLabels.ignored else {
                #expect(batch.ids[position] == id, "an unchosen position keeps its token")
                continue
            }
            #expect(labels[position] == id, "the label is the original token")
            #expect(original.attentionMask[position] == 1 && !tokenizer.specialTokenIds.contains(id),
                    "padding and special tokens are never chosen")
            chosen += 1
            if batch.ids[position] == tokenizer.maskId { masked += 1 } else if batch.ids[position] == id { kept += 1 } else { random += 1 }
        }
        let real = 64 * 63 / 2  // tokens between [CLS] and [SEP]
        // Binomial(2016, 0.15) has mean 302 and standard deviation 16; allow about 4 deviations.
        #expect(abs(chosen - real * 15 / 100) < 65)
        // Of ~300 chosen: ~240 masked (sd 7), ~30 random or kept each (sd 5); about 4 deviations again. A random
        // token can equal the original, so "kept" may be a little above 10%.
        #expect(abs(Double(masked) - 0.8 * Double(chosen)) < 30)
        #expect(abs(Double(random) - 0.1 * Double(chosen)) < 22)
        #expect(abs(Double(kept) - 0.1 * Double(chosen)) < 22)
    }

    @Test func masksDependOnTheGeneratorAndChangeFromBatchToBatch() throws {
        let tokenizer = try TokenSequenceStreamTests.tokenizer()
        let examples = Self.examples()
        let a = try MaskedLanguageModelCollator(tokenizer: tokenizer, generator: RandomGenerator(seed: 9))
        let b = try MaskedLanguageModelCollator(tokenizer: tokenizer, generator: RandomGenerator(seed: 9))
        let first = a.collate(examples)
        #expect(first == b.collate(examples))
        #expect(a.collate(examples) != first, "dynamic masking: each batch draws new masks")
    }

    @Test func aTokenizerWithoutMaskTokenIsRefused() throws {
        let tokenizer = try BertTokenizer(vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "w"])
        #expect(throws: MaskingError.noMaskToken) {
            try MaskedLanguageModelCollator(tokenizer: tokenizer, generator: RandomGenerator(seed: 1))
        }
    }
}
