import Tensors

/// A sentence and, for each of its words, the words that may replace it (none for stop words, words that are not
/// alphabetic, and words the teacher could not see), from which variants are drawn.
public struct WordCandidates: Sendable {
    /// The sentence, split into words.
    public let sentence: TokenizedSentence
    /// For each word of ``sentence``, its replacements (vocabulary spellings), best first.
    public let candidates: [[String]]

    /// Creates the candidates of `sentence`, one list per word.
    public init(sentence: TokenizedSentence, candidates: [[String]]) {
        precondition(candidates.count == sentence.words.count, "one candidate list per word")
        self.sentence = sentence
        self.candidates = candidates
    }

    /// TinyBERT's variants: `count` draws in which each word with candidates is, with probability `probability`,
    /// replaced by one of them chosen uniformly; draws identical to the sentence or to an earlier draw are dropped,
    /// so fewer than `count` may come back. The draws are a function of `seed` alone.
    public func variants(count: Int, probability: Double, seed: UInt64) -> [String] {
        var generator = Xoshiro256StarStar(seed: seed)
        var seen: Set<String> = [sentence.text]
        var variants: [String] = []
        for _ in 0..<count {
            var replacements: [Int: String] = [:]
            for (index, words) in candidates.enumerated() where !words.isEmpty {
                if Double(generator.uniform()) < probability {
                    replacements[index] = words[generator.next(below: words.count)]
                }
            }
            let variant = sentence.replacing(replacements)
            if seen.insert(variant).inserted { variants.append(variant) }
        }
        return variants
    }
}
