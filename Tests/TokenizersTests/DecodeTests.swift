import Testing
import Tokenizers

/// `decode` against what transformers' `decode` gives for bert-base-uncased.
@Suite struct DecodeTests {
    static let tokenizer: BertTokenizer? = try? BertTokenizer(directory: TokenizerFixtures.goldenTokenizerDirectory)

    @Test func wordPiecesAreJoinedAndSpacesBeforePunctuationRemoved() throws {
        let tokenizer = try #require(Self.tokenizer)
        let ids = tokenizer.encode("Hello, world! Unaffable, isn't it? I'm sure.").ids
        #expect(tokenizer.decode(ids) == "hello, world! unaffable, isn't it? i'm sure.")
    }

    @Test func specialTokensAreKeptWhenAsked() throws {
        let tokenizer = try #require(Self.tokenizer)
        let ids = tokenizer.encode("hello", pair: "world").ids
        #expect(tokenizer.decode(ids, skipSpecialTokens: false) == "[CLS] hello [SEP] world [SEP]")
        #expect(tokenizer.decode(ids) == "hello world")
    }

    @Test func unknownIdsAreSkippedAndALeadingContinuationKeepsItsPrefix() throws {
        let tokenizer = try #require(Self.tokenizer)
        let pieces = [tokenizer.id(of: "##ing"), tokenizer.id(of: "play"), tokenizer.id(of: "##ing")].compactMap { $0 }
        #expect(tokenizer.decode(pieces + [-1, 1_000_000]) == "##ing playing")
    }
}
