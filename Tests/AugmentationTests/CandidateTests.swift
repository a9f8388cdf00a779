import Augmentation
import Foundation
import Tensors
import Testing
import TestSupport
import Tokenizers

@Suite struct CandidateTests {
    /// The highest scores go to a `##` piece, a special token, a digit, a stop word and the word itself: none of
    /// them is a candidate, and the rest come best first.
    @Test func candidatesExcludeContinuationSpecialNonAlphabeticStopWordsAndTheWord() throws {
        let vocabulary = CandidateVocabulary(tokenizer: try TinyTeacher.tokenizer())
        var scores = [Float](repeating: 0, count: TinyTeacher.vocabulary.count)
        func id(_ token: String) -> Int { TinyTeacher.vocabulary.firstIndex(of: token) ?? -1 }
        for (rank, token) in ["##s", "[MASK]", "1", "the", "movie", "film", "good", "!", "bad"].enumerated() {
            scores[id(token)] = Float(100 - rank)
        }
        let best = scores.withUnsafeBufferPointer { vocabulary.best(3, of: $0, excluding: "movie") }
        #expect(best.map { TinyTeacher.vocabulary[Int($0)] } == ["film", "good", "bad"])
    }

    /// Every candidate the tiny teacher proposes, by masking or by embeddings, is an allowed whole word other than
    /// the word itself; stop words and punctuation get none.
    @Test func teacherCandidatesAreWholeAlphabeticWords() throws {
        try withScratchDirectory { directory in
            try TinyTeacher.save(to: directory)
            let augmenter = try DataAugmenter(teacher: MaskedLanguageTeacher(directory: directory))
            let (all, work) = augmenter.candidates(for: ["the movie was good , fun !", "unable acting 2 play"])
            #expect(work.maskedWords == 5)  // movie, good, fun, acting, play
            #expect(work.embeddedWords == 1)  // un ##able
            #expect(work.forwardPasses == 1)
            for words in all {
                for (word, candidates) in zip(words.sentence.words, words.candidates) {
                    let keeps = StopWords.english.contains(word.normalized) || !word.isAlphabetic
                    #expect(keeps == candidates.isEmpty, "\(word.normalized): \(candidates)")
                    for candidate in candidates {
                        #expect(candidate != word.normalized)
                        #expect(candidate.allSatisfy(\.isLetter) && !StopWords.english.contains(candidate))
                    }
                }
            }
        }
    }

    /// On a constructed 2-d embedding matrix, "cats" (cat ##s, mean of the two vectors) is nearest to cat, then
    /// dog, then car; `##s` itself, specials and stop words lie closer but are not candidates.
    @Test func nearestNeighboursByCosineOfTheMeanPiece() throws {
        let tokenizer = try TinyTeacher.tokenizer()
        let vectors: [String: (Float, Float)] = [
            "cat": (1, 0), "##s": (1, 0.2), "dog": (0.8, 0.3), "car": (0.2, 1), "the": (1, 0.1), "[MASK]": (1, 0.1),
        ]
        var values: [Float] = []
        for token in TinyTeacher.vocabulary {
            let vector = vectors[token] ?? (-1, -1)
            values += [vector.0, vector.1]
        }
        let neighbours = EmbeddingNeighbours(
            embeddings: Tensor(shape: [TinyTeacher.vocabulary.count, 2], values: values),
            vocabulary: CandidateVocabulary(tokenizer: tokenizer))
        let cats = TokenizedSentence("cats", tokenizer: tokenizer).words[0]
        #expect(cats.pieceIds.count == 2)
        let found = neighbours.neighbours(of: [(cats.pieceIds, cats.normalized)], count: 3)
        #expect(found.map { $0.map { TinyTeacher.vocabulary[Int($0)] } } == [["cat", "dog", "car"]])
    }
}
