import Tensors
import Tokenizers

/// Called after each teacher forward pass with the masked words done, their total and the tokens of the pass.
public typealias AugmentationProgress = (_ done: Int, _ total: Int, _ tokens: Int) -> Void

/// TinyBERT's data augmentation (Jiao et al. 2020, §3.1 and App. A): each sentence becomes up to N variants in
/// which words are replaced by others the teacher finds plausible in context.
///
/// A word that is a single WordPiece is masked (one `[MASK]` in its place, the rest of the sentence intact) and
/// the teacher's M most likely whole-word predictions there are its candidates; a word of several pieces gets its
/// M nearest whole words in the teacher's input embeddings (``EmbeddingNeighbours``). Stop words and words that
/// are not alphabetic keep their place. The teacher runs in batches over every (sentence, masked word) pair.
public struct DataAugmenter {
    public let teacher: MaskedLanguageTeacher
    public let settings: AugmentationSettings
    private let vocabulary: CandidateVocabulary
    private let neighbours: EmbeddingNeighbours
    private let predictor: MaskedWordPredictor

    /// What the candidate search did, for the rate and the summary.
    public struct Work: Sendable, Equatable {
        /// Words masked and predicted by the teacher.
        public var maskedWords = 0
        /// Distinct words of several pieces looked up in the embeddings.
        public var embeddedWords = 0
        /// Teacher forward passes (batches).
        public var forwardPasses = 0
    }

    /// An augmenter of `teacher`'s with `settings` (checked).
    public init(teacher: MaskedLanguageTeacher, settings: AugmentationSettings = AugmentationSettings())
        throws(AugmentationError)
    {
        try settings.validate()
        self.teacher = teacher
        self.settings = settings
        vocabulary = CandidateVocabulary(tokenizer: teacher.tokenizer)
        neighbours = EmbeddingNeighbours(embeddings: teacher.model.encoder.embeddings.words.weight, vocabulary: vocabulary)
        predictor = MaskedWordPredictor(model: teacher.model, vocabulary: vocabulary, batchSize: settings.batchSize)
    }

    /// The candidates of every word of every text, in order; `progress` is called after each forward pass with
    /// the masked words done, their total and the tokens of the pass.
    public func candidates(for texts: [String], progress: AugmentationProgress = { _, _, _ in })
        -> (candidates: [WordCandidates], work: Work)
    {
        let sentences = texts.map { TokenizedSentence($0, tokenizer: teacher.tokenizer) }
        var queries: [MaskedWordQuery] = []
        var queryOwners: [(sentence: Int, word: Int)] = []
        var multiPiece: [String: [Int32]] = [:]
        for (sentenceIndex, sentence) in sentences.enumerated() {
            for (wordIndex, word) in sentence.words.enumerated() where isReplaceable(word) {
                if word.pieceIds.count > 1 {
                    multiPiece[word.normalized] = word.pieceIds
                } else if let query = maskedQuery(sentence, word) {
                    queries.append(query)
                    queryOwners.append((sentenceIndex, wordIndex))
                }
            }
        }

        var work = Work(maskedWords: queries.count, embeddedWords: multiPiece.count)
        let predicted = predictor.predict(queries, count: settings.candidatesPerWord) { done, tokens in
            work.forwardPasses += 1
            progress(done, queries.count, tokens)
        }
        var lists = sentences.map { [[String]](repeating: [], count: $0.words.count) }
        for ((sentence, word), ids) in zip(queryOwners, predicted) { lists[sentence][word] = ids.map(token) }

        let spelled = multiPiece.sorted { $0.key < $1.key }
        let near = neighbours.neighbours(of: spelled.map { ($0.value, $0.key) }, count: settings.candidatesPerWord)
        let nearByWord = Dictionary(uniqueKeysWithValues: zip(spelled.map(\.key), near.map { $0.map(token) }))
        for (sentenceIndex, sentence) in sentences.enumerated() {
            for (wordIndex, word) in sentence.words.enumerated() where word.pieceIds.count > 1 {
                lists[sentenceIndex][wordIndex] = nearByWord[word.normalized] ?? []
            }
        }
        return (zip(sentences, lists).map { WordCandidates(sentence: $0, candidates: $1) }, work)
    }

    /// The variants of one sentence, drawn from a generator seeded by the settings' seed and `row` (so that each
    /// row's variants depend on neither the others nor the order they are made in).
    public func variants(of candidates: WordCandidates, row: Int) -> [String] {
        candidates.variants(
            count: settings.variantsPerExample, probability: settings.replacementProbability,
            seed: settings.seed &* SplitMix64.increment &+ UInt64(truncatingIfNeeded: row))
    }

    private func isReplaceable(_ word: TokenizedWord) -> Bool {
        word.isAlphabetic && !StopWords.english.contains(word.normalized)
    }

    /// The sentence with `word` masked, cut to the teacher's positions; `nil` if the word lies beyond them.
    private func maskedQuery(_ sentence: TokenizedSentence, _ word: TokenizedWord) -> MaskedWordQuery? {
        let tokenizer = teacher.tokenizer
        let limit = teacher.model.config.maxPositions
        guard let maskId = tokenizer.maskId, word.tokenPositions.upperBound < limit else { return nil }
        var ids = Array(sentence.encoding.ids.prefix(limit - 1))
        if ids.count < sentence.encoding.ids.count { ids.append(tokenizer.sepId) }
        ids[word.tokenPositions.lowerBound] = maskId
        return MaskedWordQuery(ids: ids, position: word.tokenPositions.lowerBound, word: word.normalized)
    }

    private func token(_ id: Int32) -> String { vocabulary.tokens[Int(id)] }
}
