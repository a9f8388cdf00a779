import Tensors

/// Nearest whole-word neighbours by cosine similarity in a word-embedding matrix: TinyBERT's replacement for a
/// word that WordPiece splits into several pieces.
///
/// TinyBERT (Jiao et al. 2020, §3.1) takes these neighbours from GloVe vectors. GloVe is not available here, so the
/// teacher's own input word embeddings stand in for it: they are trained, they cover every vocabulary entry, and
/// they are what the teacher reads. A word of several pieces is represented by the mean of its pieces' vectors.
public struct EmbeddingNeighbours {
    private let vocabulary: CandidateVocabulary
    /// The unit-length embeddings of the allowed entries, `[allowed, hidden]`.
    private let candidates: Tensor
    /// The vocabulary id of each row of `candidates`.
    private let candidateIds: [Int32]
    private let embeddings: Tensor

    /// Neighbours among `vocabulary`'s allowed entries, in `embeddings` (`[vocabulary, hidden]`, the model's input
    /// word embeddings).
    public init(embeddings: Tensor, vocabulary: CandidateVocabulary) {
        self.vocabulary = vocabulary
        self.embeddings = embeddings
        candidateIds = vocabulary.allows.indices.filter { vocabulary.allows[$0] && $0 < embeddings.shape[0] }
            .map(Int32.init)
        let ids = candidateIds
        candidates = Self.unitRows(withoutGrad { embeddings.gatherRows(ids) })
    }

    /// Words compared with the vocabulary at once, bounding the similarity matrix (512 x 30k floats: 60 MB).
    private static let chunkSize = 512

    /// The `count` nearest allowed entries to each word (its pieces' ids, and its own spelling, which is never its
    /// own neighbour), nearest first.
    public func neighbours(of words: [(pieceIds: [Int32], normalized: String)], count: Int) -> [[Int32]] {
        stride(from: 0, to: words.count, by: Self.chunkSize).flatMap { start in
            nearest(to: Array(words[start..<min(start + Self.chunkSize, words.count)]), count: count)
        }
    }

    private func nearest(to words: [(pieceIds: [Int32], normalized: String)], count: Int) -> [[Int32]] {
        guard !candidateIds.isEmpty else { return words.map { _ in [] } }
        let hidden = embeddings.lastDimension
        var means = [Float](repeating: 0, count: words.count * hidden)
        embeddings.withUnsafeBufferPointer { table in
            for (row, word) in words.enumerated() {
                for id in word.pieceIds {
                    for column in 0..<hidden { means[row * hidden + column] += table[Int(id) * hidden + column] }
                }
            }
        }
        // Cosine similarity: unit queries against unit candidates.
        let similarity = withoutGrad {
            Self.unitRows(Tensor(shape: [words.count, hidden], values: means)).linear(weight: candidates, bias: nil)
        }
        var scores = [Float](repeating: -.infinity, count: vocabulary.allows.count)
        return similarity.withUnsafeBufferPointer { rows in
            words.indices.map { row in
                for (column, id) in candidateIds.enumerated() { scores[Int(id)] = rows[row * candidateIds.count + column] }
                return scores.withUnsafeBufferPointer { vocabulary.best(count, of: $0, excluding: words[row].normalized) }
            }
        }
    }

    /// `matrix` (`[rows, columns]`) with each row divided by its Euclidean length (zero rows stay zero).
    private static func unitRows(_ matrix: Tensor) -> Tensor {
        var values = matrix.scalars
        let columns = matrix.lastDimension
        for row in 0..<matrix.rowCount {
            let range = (row * columns)..<((row + 1) * columns)
            let length = values[range].reduce(0) { $0 + $1 * $1 }.squareRoot()
            if length > 0 { for index in range { values[index] /= length } }
        }
        return Tensor(shape: matrix.shape, values: values)
    }
}
