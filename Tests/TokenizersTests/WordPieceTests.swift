import Testing
import Tokenizers

/// Greedy longest-match-first segmentation, on a tiny vocabulary.
@Suite struct WordPieceTests {
    @Test func longestPieceWinsAndContinuationsCarryThePrefix() throws {
        let tokenizer = try TokenizerFixtures.tinyTokenizer(["un", "una", "##ff", "##ffa", "##able", "##ble", "##a"])
        let encoding = tokenizer.encode("unaffable")
        #expect(encoding.tokens == ["[CLS]", "una", "##ffa", "##ble", "[SEP]"])
        #expect(encoding.offsets.pairs == [[0, 0], [0, 3], [3, 6], [6, 9], [0, 0]])
    }

    @Test func aWordThatCannotBeSegmentedIsOneUnknownToken() throws {
        let tokenizer = try TokenizerFixtures.tinyTokenizer(["un", "##aff"])
        let encoding = tokenizer.encode("ok unaffz ok")
        #expect(encoding.tokens == ["[CLS]", "[UNK]", "[UNK]", "[UNK]", "[SEP]"])
        #expect(encoding.offsets.pairs[2] == [3, 9])
    }

    @Test func wordsLongerThanOneHundredCharactersAreUnknown() throws {
        let tokenizer = try TokenizerFixtures.tinyTokenizer(["x", "##x"])
        let hundred = tokenizer.encode(String(repeating: "x", count: 100))
        #expect(hundred.count == 102)
        let longer = tokenizer.encode("a " + String(repeating: "x", count: 101) + " x")
        #expect(longer.tokens == ["[CLS]", "[UNK]", "[UNK]", "x", "[SEP]"])
        #expect(longer.offsets.pairs[2] == [2, 103])
    }

    @Test func vocabularyLookupsAndIds() throws {
        let tokenizer = try TokenizerFixtures.tinyTokenizer(["hello"])
        #expect(tokenizer.vocabularySize == 6)
        #expect([tokenizer.padId, tokenizer.unkId, tokenizer.clsId, tokenizer.sepId] == [0, 1, 2, 3])
        #expect(tokenizer.maskId == 4)
        #expect(tokenizer.id(of: "hello") == 5)
        #expect(tokenizer.id(of: "absent") == nil)
        #expect(tokenizer.token(of: 5) == "hello")
        #expect(tokenizer.token(of: 99) == nil)
    }
}
