import Foundation
import Testing
import Tokenizers

/// Every code point must be treated as Hugging Face treats it (removed, a space, a word of its own, or part of the
/// word), including those whose Unicode category changed after the Unicode 8.0 tables `tokenizers` uses.
@Suite struct CodePointTests {
    /// The signature of `"a" + c + "b"` in the form of `HuggingFaceCodePointTable.signatures`.
    static func signature(of scalar: Unicode.Scalar, _ tokenizer: BertTokenizer) -> String {
        let encoding = tokenizer.encode("a" + String(Character(scalar)) + "b")
        return zip(encoding.tokens, encoding.offsets).dropFirst().dropLast()
            .map { "\($0.0)@\($0.1.lowerBound)-\($0.1.upperBound)" }.joined(separator: " ")
    }

    @Test func everyCodePointMatchesTheHuggingFaceTable() throws {
        let tokenizer = try TokenizerFixtures.tinyTokenizer(HuggingFaceCodePointTable.vocabulary)
        let runs = HuggingFaceCodePointTable.runs
        var mismatches: [String] = []
        var checked = 0
        for (index, run) in runs.enumerated() {
            let end = index + 1 < runs.count ? runs[index + 1].0 : 0x110000
            let expected = HuggingFaceCodePointTable.signatures[Int(run.1)]
            for value in run.0..<end {
                guard let scalar = Unicode.Scalar(value) else { continue }  // surrogates
                checked += 1
                let got = Self.signature(of: scalar, tokenizer)
                if got != expected {
                    mismatches.append("U+\(String(value, radix: 16, uppercase: true)): \(got), expected \(expected)")
                }
            }
        }
        #expect(checked == 1_112_064)
        #expect(mismatches.isEmpty, "\(mismatches.count) code points differ: \(mismatches.prefix(10))")
    }

    /// The code points whose category changed after Unicode 8.0 in a way that matters, with bert-base-uncased's
    /// ids from Hugging Face (1037 "a", 1038 "b", 11113 "ab", 100 [UNK]).
    @Test(arguments: [
        (0x166D, [101, 1037, 100, 1038, 102]),  // Po in Unicode 8.0, now So: punctuation
        (0x111C9, [101, 1037, 100, 1038, 102]),  // Po, now Mn: punctuation
        (0x1734, [101, 11113, 102]),  // Mn, now Mc: stripped with the accents
        (0x1171E, [101, 11113, 102]),  // Mn, now Mc
        (0x1885, [101, 100, 102]),  // Lo, now Mn: part of the word
        (0x1886, [101, 100, 102]),
        (0xA9BD, [101, 100, 102]),  // Mc, now Mn
    ] as [(UInt32, [Int32])])
    func categoryChangedSinceUnicode8(codePoint: UInt32, expectedIds: [Int32]) throws {
        let tokenizer = try BertTokenizer(directory: TokenizerFixtures.goldenTokenizerDirectory)
        let scalar = try #require(Unicode.Scalar(codePoint))
        #expect(tokenizer.encode("a" + String(Character(scalar)) + "b").ids == expectedIds)
    }

    @Test func aMongolianBaludaAloneIsAnUnknownWord() throws {
        let tokenizer = try BertTokenizer(directory: TokenizerFixtures.goldenTokenizerDirectory)
        let encoding = tokenizer.encode("\u{1885}")
        #expect(encoding.ids == [101, 100, 102])
        #expect(encoding.offsets == [0..<0, 0..<1, 0..<0])
    }
}
