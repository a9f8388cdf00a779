import Testing
import Tokenizers

/// Truncation strategies, padding and batches, on a vocabulary where every letter is a token.
@Suite struct TruncationPaddingTests {
    static let tokenizer: BertTokenizer? = try? TokenizerFixtures.tinyTokenizer(["a", "b", "c", "d", "e", "f", "g", "h"])

    func tokenizer() throws -> BertTokenizer { try #require(Self.tokenizer) }

    @Test func longestFirstTakesFromTheLongerSequence() throws {
        let encoding = try tokenizer().encode("a a a a a a", pair: "b b", maxLength: 9)
        #expect(encoding.tokens == ["[CLS]", "a", "a", "a", "a", "[SEP]", "b", "b", "[SEP]"])
        #expect(encoding.typeIds == [0, 0, 0, 0, 0, 0, 1, 1, 1])
    }

    @Test func longestFirstBalancesWhenBothAreTooLong() throws {
        let encoding = try tokenizer().encode("a a a a a a", pair: "b b b b b b b", maxLength: 8)
        // Five tokens left for the texts: two for the shorter first text, three for the longer second.
        #expect(encoding.tokens == ["[CLS]", "a", "a", "[SEP]", "b", "b", "b", "[SEP]"])
    }

    @Test func onlyFirstAndOnlySecond() throws {
        let first = try tokenizer().encode("a a a a", pair: "b b b b", maxLength: 8, truncation: .onlyFirst)
        #expect(first.tokens == ["[CLS]", "a", "[SEP]", "b", "b", "b", "b", "[SEP]"])
        let second = try tokenizer().encode("a a a a", pair: "b b b b", maxLength: 8, truncation: .onlySecond)
        #expect(second.tokens == ["[CLS]", "a", "a", "a", "a", "[SEP]", "b", "[SEP]"])
        #expect(second.offsets.pairs == [[0, 0], [0, 1], [2, 3], [4, 5], [6, 7], [0, 0], [0, 1], [0, 0]])
    }

    @Test func onlySecondTooShortStillFitsByTakingFromTheFirst() throws {
        let encoding = try tokenizer().encode("a a a a", pair: "b", maxLength: 5, truncation: .onlySecond)
        #expect(encoding.tokens == ["[CLS]", "a", "a", "[SEP]", "[SEP]"])
    }

    @Test func singleTextTruncationCountsTheSpecialTokens() throws {
        let encoding = try tokenizer().encode("a b c d e f", maxLength: 4)
        #expect(encoding.tokens == ["[CLS]", "a", "b", "[SEP]"])
        #expect(try tokenizer().encode("a b", maxLength: 10).count == 4)
    }

    @Test func paddingToMaxLength() throws {
        let encoding = try tokenizer().encode("a b", maxLength: 6, padToMaxLength: true)
        #expect(encoding.ids == [2, 5, 6, 3, 0, 0])
        #expect(encoding.attentionMask == [1, 1, 1, 1, 0, 0])
        #expect(encoding.typeIds == [0, 0, 0, 0, 0, 0])
        #expect(encoding.specialTokensMask == [1, 0, 0, 1, 1, 1])
        #expect(encoding.tokens.suffix(2) == ["[PAD]", "[PAD]"])
        #expect(encoding.offsets.pairs.suffix(2) == [[0, 0], [0, 0]])
    }

    @Test func batchPaddingToLongestToMaxLengthOrNone() throws {
        let texts = ["a", "a b c", "a b"]
        let longest = try tokenizer().encodeBatch(texts)
        #expect(longest.map(\.count) == [5, 5, 5])
        #expect(longest[0].attentionMask == [1, 1, 1, 0, 0])
        let fixed = try tokenizer().encodeBatch(texts, maxLength: 4, padding: .maxLength)
        #expect(fixed.map(\.count) == [4, 4, 4])
        #expect(fixed[1].tokens == ["[CLS]", "a", "b", "[SEP]"])
        let unpadded = try tokenizer().encodeBatch(texts, padding: .none)
        #expect(unpadded.map(\.count) == [3, 5, 4])
        let pairs = try tokenizer().encodeBatch(["a", "b"], pairs: ["c d", "e"])
        #expect(pairs[1].tokens == ["[CLS]", "b", "[SEP]", "e", "[SEP]", "[PAD]"])
        #expect(pairs[1].typeIds == [0, 0, 0, 1, 1, 0])
    }
}
