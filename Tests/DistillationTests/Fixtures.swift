import Foundation
import Models
import NN
import Tensors

enum Fixtures {
    /// A tiny BERT classifier config: `layers` layers of width 32, 4 heads, FFN 64, 60 tokens, 3 labels.
    static func tinyConfig(_ type: ModelType = .bert, layers: Int = 4, labels: Int = 3) -> ModelConfig {
        var config = ModelConfig(modelType: type, hiddenSize: 32, layerCount: layers, headCount: 4, intermediateSize: 64, vocabSize: 60)
        config.maxPositions = 32
        config.id2label = Dictionary(uniqueKeysWithValues: (0..<labels).map { ($0, "class\($0)") })
        if labels == 1 { config.problemType = .regression }
        return config
    }

    /// The word pieces of a vocabulary matching `tinyConfig` (60 entries), one per line as in vocab.txt.
    static let vocabulary: [String] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        + ["good", "bad", "movie", "film", "great", "awful", "the", "a", "is", "was", "not", "very", "plot", "acting", "fun"]
        + (0..<40).map { "w\($0)" }

    /// A random tiny classifier saved (with a vocab.txt) into `directory`. Its LayerNorm weights and biases are
    /// randomised too, so that copying the wrong one would show, and its head weights are 25 times larger than
    /// BERT's initialisation, so that its logits are far from uniform (as a trained teacher's are).
    @discardableResult
    static func saveTeacher(_ config: ModelConfig = tinyConfig(), seed: UInt64 = 7, to directory: URL) throws -> SequenceClassifier {
        try saveTeacher(SequenceClassifier.self, config, seed: seed, to: directory)
    }

    /// A random tiny model with the head of `kind`, saved as ``saveTeacher(_:seed:to:)`` describes (heads: the
    /// pooler, classifier and `qa_outputs` weights scaled up).
    @discardableResult
    static func saveTeacher<Model: PretrainedModel>(_ kind: Model.Type, _ config: ModelConfig = tinyConfig(), seed: UInt64 = 7,
                                                    to directory: URL) throws -> Model
    {
        let generator = RandomGenerator(seed: seed)
        let model = Model(config: config, generator: generator)
        for (name, tensor) in model.namedParameters() where name.contains("LayerNorm") || name.contains("layer_norm") || name.hasSuffix("bias") {
            let noise = Tensor.normal(tensor.shape, std: 0.1, generator: generator)
            noise.withUnsafeBufferPointer { noise in
                tensor.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] += noise[i] } }
            }
        }
        for (name, tensor) in model.namedParameters() where name.hasSuffix("weight") && ["pooler", "classifier", "qa_outputs"].contains(where: { name.contains($0) }) {
            tensor.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] *= 25 } }
        }
        try model.save(to: directory)
        try (vocabulary.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        return model
    }

    /// A padded batch of random token ids (ids 5..<60), every row starting with [CLS] and ending with [SEP],
    /// rows of decreasing length so that padding is exercised.
    static func randomInput(batch: Int = 3, sequence: Int = 9, typeIds: Bool = false, seed: UInt64 = 3) -> EncoderInput {
        let generator = RandomGenerator(seed: seed)
        var ids: [Int32] = [], mask: [Int32] = [], types: [Int32] = []
        for row in 0..<batch {
            let length = sequence - row
            for column in 0..<sequence {
                let id: Int32 = column == 0 ? 2 : column == length - 1 ? 3 : column < length ? Int32(5 + generator.below(55)) : 0
                ids.append(id)
                mask.append(column < length ? 1 : 0)
                types.append(typeIds && column >= length / 2 && column < length ? 1 : 0)
            }
        }
        return EncoderInput(ids: ids, typeIds: types, attentionMask: mask, batchSize: batch, sequenceLength: sequence)
    }
}
