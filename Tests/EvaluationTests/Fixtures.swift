import Datasets
import Foundation
import Models
import Tensors
import Tokenizers

/// A tiny classifier saved in a temporary directory, and data files for it.
final class TinyClassifierDirectory {
    static let words = ["good", "great", "bad", "awful", "the", "movie", "was", "plot"]

    let url: URL
    let model: SequenceClassifier
    let tokenizer: BertTokenizer

    /// A 2-layer BERT of hidden size 32 with labels NEGATIVE/POSITIVE (or a one-output regressor), random weights.
    init(regression: Bool = false, seed: UInt64 = 1) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("EvaluationTests-\(UUID().uuidString)")
        tokenizer = try BertTokenizer(vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + Self.words)
        var config = ModelConfig(
            modelType: .bert, hiddenSize: 32, layerCount: 2, headCount: 4, intermediateSize: 64,
            vocabSize: tokenizer.vocabularySize)
        config.maxPositions = 40
        config.id2label = regression ? [0: "LABEL_0"] : [0: "NEGATIVE", 1: "POSITIVE"]
        config.problemType = regression ? .regression : .singleLabelClassification
        model = SequenceClassifier(config: config, generator: RandomGenerator(seed: seed))
        model.setTraining(false)
        try model.save(to: url)
        try tokenizer.save(to: url)
    }

    /// Writes `lines` (header first) to a file in the directory.
    func write(_ name: String, _ lines: [String]) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
        return file.path
    }

    /// The model's logits for one text, computed directly.
    func logits(_ text: String) -> [Float] {
        let encoding = tokenizer.encode(text)
        let input = EncoderInput(ids: encoding.ids, typeIds: encoding.typeIds, batchSize: 1, sequenceLength: encoding.count)
        return withoutGrad { model(input).logits.scalars }
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
