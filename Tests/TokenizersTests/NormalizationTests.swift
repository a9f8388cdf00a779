import Foundation
import Testing
import Tokenizers

/// Normalization and pre-tokenization edge cases, with offsets into the original text. Expected values are those
/// of Hugging Face `tokenizers` for bert-base-uncased.
@Suite struct NormalizationTests {
    static let tokenizer: BertTokenizer? = try? BertTokenizer(directory: TokenizerFixtures.goldenTokenizerDirectory)

    func encode(_ text: String) throws -> (tokens: [String], offsets: [[Int]]) {
        let encoding = try #require(Self.tokenizer).encode(text)
        return (Array(encoding.tokens.dropFirst().dropLast()), Array(encoding.offsets.pairs.dropFirst().dropLast()))
    }

    @Test func accentsAreStrippedAndOffsetsPointAtTheAccentedLetters() throws {
        let result = try encode("ÉCOLE Café")
        #expect(result.tokens == ["ecole", "cafe"])
        #expect(result.offsets == [[0, 5], [6, 10]])
    }

    @Test func decomposedAccentsLoseTheirCombiningMark() throws {
        // "e" + U+0301: the mark is dropped, so the token covers only the "e".
        let result = try encode("combining e\u{301} and")
        #expect(result.tokens == ["combining", "e", "and"])
        #expect(result.offsets == [[0, 9], [10, 11], [13, 16]])
    }

    @Test func combiningMarksAreReorderedByPositionLikeTokenizers() throws {
        // NFD puts U+1D170 (class 216) before U+0355 (class 220); the kept scalar takes the first position.
        let result = try encode("\u{355}\u{1D170}")
        #expect(result.tokens == ["[UNK]"])
        #expect(result.offsets == [[0, 1]])
    }

    @Test func cjkIdeographsBecomeWordsOfTheirOwn() throws {
        let result = try encode("中文ok")
        #expect(result.tokens == ["中", "文", "ok"])
        #expect(result.offsets == [[0, 1], [1, 2], [2, 4]])
    }

    @Test func hangulDecomposesIntoJamoThatShareTheSyllablesOffsets() throws {
        let result = try encode("한")
        #expect(result.tokens == ["ᄒ", "##ᅡ", "##ᆫ"])
        #expect(result.offsets == [[0, 1], [0, 1], [0, 1]])
    }

    @Test func controlCharactersAreRemovedWithoutSplittingTheWord() throws {
        let result = try encode("control\u{7}char\u{0}null")
        #expect(result.tokens == ["control", "##cha", "##rn", "##ull"])
        #expect(result.offsets == [[0, 7], [8, 11], [11, 14], [14, 17]])
    }

    @Test func formatCharactersAreRemovedAndUnicodeSpacesSplit() throws {
        #expect(try encode("zero\u{200B}width").tokens == ["zero", "##wi", "##dt", "##h"])
        let spaces = try encode("a\u{00A0}b\u{3000}c\td\r\ne")
        #expect(spaces.tokens == ["a", "b", "c", "d", "e"])
        #expect(spaces.offsets == [[0, 1], [2, 3], [4, 5], [6, 7], [9, 10]])
    }

    @Test func punctuationIsSplitOffIncludingUnicodePunctuation() throws {
        let result = try encode("state-of-the-art “quoted”")
        #expect(result.tokens == ["state", "-", "of", "-", "the", "-", "art", "“", "quoted", "”"])
    }

    @Test func literalSpecialTokensInTheTextAreMatchedVerbatim() throws {
        let encoding = try #require(Self.tokenizer).encode("[CLS] x [MASK]")
        #expect(encoding.tokens == ["[CLS]", "[CLS]", "x", "[MASK]", "[SEP]"])
        #expect(encoding.offsets.pairs == [[0, 0], [0, 5], [6, 7], [8, 14], [0, 0]])
    }

    @Test func emptyAndBlankTextsGiveOnlyTheSpecialTokens() throws {
        let tokenizer = try #require(Self.tokenizer)
        #expect(tokenizer.encode("").tokens == ["[CLS]", "[SEP]"])
        #expect(tokenizer.encode(" \t\n\u{200B}").tokens == ["[CLS]", "[SEP]"])
    }

    @Test func casedNormalizerKeepsCaseAndAccents() throws {
        let tokenizer = try TokenizerFixtures.tinyTokenizer(
            ["Hello", "hello", "Café", "cafe"],
            normalizer: BertNormalizer(lowercase: false))
        #expect(tokenizer.encode("Hello Café").tokens == ["[CLS]", "Hello", "Café", "[SEP]"])
        let stripping = try TokenizerFixtures.tinyTokenizer(
            ["Hello", "hello", "Cafe", "cafe"], normalizer: BertNormalizer(stripAccents: true, lowercase: false))
        #expect(stripping.encode("Hello Café").tokens == ["[CLS]", "Hello", "Cafe", "[SEP]"])
    }
}
