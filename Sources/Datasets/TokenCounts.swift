import Foundation
import Tokenizers

/// How often each token id occurs in a corpus (special tokens excluded): the statistic behind
/// ``SmoothedMaskingCollator``'s weights (DistilBERT's `token_counts.py`).
public struct TokenCounts: Sendable, Codable, Equatable {
    /// The count of each id, indexed by id.
    public private(set) var counts: [Int]

    /// All zero, for a vocabulary of `vocabularySize` ids.
    public init(vocabularySize: Int) {
        counts = Array(repeating: 0, count: vocabularySize)
    }

    /// Counts every token of `corpus`, file by file, in one streaming pass (memory does not grow with the corpus).
    /// Special tokens ([CLS], [SEP], ...) are not counted.
    public init(corpus: CorpusFiles) throws(CorpusError) {
        let tokenizer = corpus.tokenizer
        self.init(vocabularySize: tokenizer.vocabularySize)
        let special = tokenizer.specialTokenIds
        for path in corpus.paths {
            let stream = try TokenSequenceStream(
                url: URL(fileURLWithPath: path), boundary: corpus.boundary, tokenizer: tokenizer, maxLength: corpus.maxLength,
                packing: .split, skipInvalidLines: corpus.skipInvalidLines)
            while let sequence = try stream.next() { add(sequence.ids.filter { !special.contains($0) }) }
        }
    }

    /// Counts `ids` (ids outside the vocabulary are ignored).
    public mutating func add(_ ids: [Int32]) {
        for id in ids where counts.indices.contains(Int(id)) { counts[Int(id)] += 1 }
    }

    /// The count of `id` (0 for an id outside the vocabulary).
    public func count(of id: Int32) -> Int { counts.indices.contains(Int(id)) ? counts[Int(id)] : 0 }

    /// Tokens counted.
    public var total: Int { counts.reduce(0, +) }
}
