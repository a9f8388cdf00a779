import Foundation
import Models
import Tensors
import Tokenizers

/// A random tiny BERT masked-LM (2 layers of width 16) with a small vocabulary, saved with its vocab.txt.
enum TinyTeacher {
    /// Specials, stop words, content words, continuation pieces, digits and punctuation.
    static let vocabulary: [String] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        + ["the", "a", "is", "was", "not", "and"]
        + ["movie", "film", "good", "bad", "great", "awful", "plot", "acting", "fun", "story", "play", "cast", "dull",
           "cat", "dog", "car", "un"]
        + ["##s", "##ing", "##ed", "##able", "1", "2", ",", ".", "!"]

    static func config(vocabularySize: Int = vocabulary.count) -> ModelConfig {
        var config = ModelConfig(
            modelType: .bert, hiddenSize: 16, layerCount: 2, headCount: 2, intermediateSize: 32,
            vocabSize: vocabularySize)
        config.maxPositions = 32
        return config
    }

    /// Saves the teacher into `directory`: a masked-LM, or with `withHead: false` a base model (no head).
    /// `vocabularySize` below the vocabulary's makes a model that lacks embeddings for the last ids.
    static func save(to directory: URL, withHead: Bool = true, seed: UInt64 = 5,
                     vocabularySize: Int = vocabulary.count) throws {
        let generator = RandomGenerator(seed: seed)
        let config = config(vocabularySize: vocabularySize)
        if withHead {
            try MaskedLanguageModel(config: config, generator: generator).save(to: directory)
        } else {
            try TransformerEncoder(config: config, generator: generator).save(to: directory)
        }
        try (vocabulary.joined(separator: "\n") + "\n")
            .write(to: directory.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
    }

    static func tokenizer() throws -> BertTokenizer { try BertTokenizer(vocabulary: vocabulary) }
}
