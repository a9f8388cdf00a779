import Tokenizers

/// The vocabulary entries a word may be replaced by: whole words (no continuation `##` piece), made of letters
/// only, neither special tokens nor stop words (a content word replaced by "the" or "s" only breaks the sentence).
public struct CandidateVocabulary: Sendable {
    /// Every token string, by id ("" for unused ids).
    public let tokens: [String]
    /// Whether each id may be a replacement.
    public let allows: [Bool]

    /// The candidates of `tokenizer`'s vocabulary.
    public init(tokenizer: BertTokenizer) {
        let special = tokenizer.specialTokenIds
        let prefix = tokenizer.model.continuingSubwordPrefix
        let tokens = (0..<tokenizer.vocabularySize).map { tokenizer.token(of: Int32($0)) ?? "" }
        self.tokens = tokens
        allows = tokens.indices.map { id in
            let token = tokens[id]
            return !special.contains(Int32(id)) && !(!prefix.isEmpty && token.hasPrefix(prefix))
                && !token.isEmpty && token.allSatisfy(\.isLetter) && !StopWords.english.contains(token)
        }
    }

    /// The ids of the `count` highest `scores` among the allowed entries other than `excluded` (the word being
    /// replaced), best first; ties go to the lower id, so the choice does not depend on the order of evaluation.
    public func best(_ count: Int, of scores: UnsafeBufferPointer<Float>, excluding excluded: String) -> [Int32] {
        var chosen: [(score: Float, id: Int)] = []
        chosen.reserveCapacity(count + 1)
        for id in 0..<min(scores.count, allows.count) where allows[id] {
            let score = scores[id]
            guard score.isFinite, chosen.count < count || score > chosen[chosen.count - 1].score else { continue }
            guard tokens[id] != excluded else { continue }
            let place = chosen.firstIndex { score > $0.score } ?? chosen.count
            chosen.insert((score, id), at: place)
            if chosen.count > count { chosen.removeLast() }
        }
        return chosen.map { Int32($0.id) }
    }
}
