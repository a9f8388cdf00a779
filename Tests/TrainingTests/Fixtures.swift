import Datasets
import Evaluation
import Foundation
import Models
import NN
import Tensors
import Tokenizers
import Training

/// Tiny models, data and directories for the trainer tests.
enum Fixtures {
    static let positiveWords = ["good", "great", "fun", "superb"]
    static let negativeWords = ["bad", "awful", "boring", "dull"]
    static let fillerWords = ["the", "movie", "was", "a", "film", "plot", "really", "quite"]

    /// A WordPiece tokenizer over the special tokens and the words above.
    static func tokenizer() throws -> BertTokenizer {
        try BertTokenizer(vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + positiveWords + negativeWords + fillerWords)
    }

    /// A 2-layer BERT (or another family) of hidden size 32 with two labels.
    static func config(modelType: ModelType = .bert, dropout: Double = 0.1, vocabularySize: Int) -> ModelConfig {
        var config = ModelConfig(
            modelType: modelType, hiddenSize: 32, layerCount: 2, headCount: 4, intermediateSize: 64, vocabSize: vocabularySize)
        config.maxPositions = 64
        config.hiddenDropout = dropout
        config.attentionDropout = dropout
        config.id2label = [0: "NEGATIVE", 1: "POSITIVE"]
        return config
    }

    /// Sentences whose label is whether they hold a positive word: learnable from one token.
    static func sentences(count: Int) -> [(text: String, label: Int)] {
        (0..<count).map { index in
            let positive = index % 2 == 0
            let words = positive ? positiveWords : negativeWords
            let fillers = (0..<(index % 4)).map { fillerWords[(index + $0 * 3) % fillerWords.count] }
            let text = (fillers + [words[(index / 2) % words.count]] + fillers.prefix(index % 3)).joined(separator: " ")
            return (text, positive ? 1 : 0)
        }
    }

    static func examples(count: Int, tokenizer: BertTokenizer) -> [TokenizedExample] {
        sentences(count: count).enumerated().map { index, sentence in
            let encoding = tokenizer.encode(sentence.text)
            return TokenizedExample(ids: encoding.ids, typeIds: encoding.typeIds, label: .classIndex(sentence.label), index: index)
        }
    }

    /// The same data as a TSV file with a `sentence` and a `label` column.
    static func writeTSV(count: Int, to url: URL) throws {
        let lines = ["sentence\tlabel"] + sentences(count: count).map { "\($0.text)\t\($0.label)" }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    }

    /// A configuration for fast runs: small batches, no warm-up unless asked, quiet.
    static func configuration(epochs: Int = 2, batchSize: Int = 4, accumulation: Int = 1) -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.epochs = epochs
        configuration.batchSize = batchSize
        configuration.gradientAccumulation = accumulation
        configuration.learningRate = 1e-3
        configuration.warmupRatio = 0
        configuration.maxLength = 32
        configuration.logEvery = 1
        return configuration
    }

    static let silent = ProgressOutput(isTerminal: false) { _ in }

    /// A classifier and the generator it draws dropout from, built from `seed` as a training run builds it.
    static func model(seed: UInt64, dropout: Double = 0.1, vocabularySize: Int) -> (SequenceClassifier, RandomGenerator) {
        let generator = RandomGenerator(seed: seed)
        return (SequenceClassifier(config: config(dropout: dropout, vocabularySize: vocabularySize), generator: generator), generator)
    }

    /// A trainer for `model` with the cross-entropy loss, exporting the model's weights.
    static func trainer(
        _ configuration: TrainingConfiguration, model: SequenceClassifier, generator: RandomGenerator?,
        examples: [TokenizedExample], output: URL, evaluation: Trainer.Evaluation? = nil, stop: StopRequest? = nil,
        processGroup: any ProcessGroup = SingleProcess()
    ) throws -> Trainer {
        try Trainer(
            configuration: configuration, modules: [("", model)], generator: generator, trainingExamples: examples,
            padId: 0, outputDirectory: output,
            loss: { batch in TrainingLoss(try SupervisedLoss.of(logits: model(EncoderInput(batch)).logits, batch: batch)) },
            evaluation: evaluation, exportModel: { try model.save(to: $0) }, progressOutput: silent, stopRequest: stop,
            processGroup: processGroup)
    }

    /// Every parameter's values by name.
    static func weights(_ module: Module) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: module.namedParameters().map { ($0.name, $0.tensor.scalars) })
    }

    /// The largest absolute difference between two sets of weights with the same names.
    static func maxDifference(_ a: [String: [Float]], _ b: [String: [Float]]) -> Float {
        precondition(a.keys.sorted() == b.keys.sorted(), "different parameter names")
        return a.keys.reduce(0) { worst, name in
            zip(a[name] ?? [], b[name] ?? []).reduce(worst) { max($0, abs($1.0 - $1.1)) }
        }
    }
}
