import Tokenizers

/// A text split into words by the teacher's tokenizer (normalizer, BERT pre-tokenizer, WordPiece), each word
/// located in the original text so that replacing one leaves the rest verbatim.
public struct TokenizedSentence: Sendable {
    /// The text as given.
    public let text: String
    /// Its encoding, `[CLS] pieces [SEP]`, not truncated.
    public let encoding: Encoding
    /// Its words in order.
    public let words: [TokenizedWord]

    /// Tokenizes `text`. A piece that starts with the continuation prefix (`##`) belongs to the word before it;
    /// any other piece starts a word (the pre-tokenizer's words are what WordPiece segments).
    public init(_ text: String, tokenizer: BertTokenizer) {
        self.text = text
        encoding = tokenizer.encode(text)
        let prefix = tokenizer.model.continuingSubwordPrefix
        var words: [TokenizedWord] = []
        for position in encoding.ids.indices where encoding.specialTokensMask[position] == 0 {
            let token = encoding.tokens[position], offsets = encoding.offsets[position]
            if !prefix.isEmpty, token.hasPrefix(prefix), var word = words.last, word.tokenPositions.upperBound == position {
                word.scalarRange = word.scalarRange.lowerBound..<offsets.upperBound
                word.tokenPositions = word.tokenPositions.lowerBound..<(position + 1)
                word.pieceIds.append(encoding.ids[position])
                word.normalized += token.dropFirst(prefix.count)
                words[words.count - 1] = word
            } else {
                words.append(TokenizedWord(scalarRange: offsets, tokenPositions: position..<(position + 1),
                                           pieceIds: [encoding.ids[position]], normalized: token))
            }
        }
        self.words = words
    }

    /// The text with the words at the given indices replaced, everything else kept as written. A replacement
    /// takes the case of the word it replaces when that word is capitalised or all upper-case (the vocabulary of
    /// an uncased teacher is lower-case).
    public func replacing(_ replacements: [Int: String]) -> String {
        var scalars = Array(text.unicodeScalars)
        for (index, replacement) in replacements.sorted(by: { $0.key > $1.key }) {
            let range = words[index].scalarRange
            let original = String(String.UnicodeScalarView(scalars[range]))
            scalars.replaceSubrange(range, with: Self.matchingCase(replacement, of: original).unicodeScalars)
        }
        return String(String.UnicodeScalarView(scalars))
    }

    private static func matchingCase(_ word: String, of original: String) -> String {
        guard let first = original.first, first.isUppercase else { return word }
        if original.count > 1 && original.allSatisfy({ !$0.isLetter || $0.isUppercase }) { return word.uppercased() }
        return word.prefix(1).uppercased() + word.dropFirst()
    }
}
