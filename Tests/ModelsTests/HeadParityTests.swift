import Foundation
import Models
import NN
import SafeTensors
import Tensors
import TestSupport
import Testing

/// The masked-LM and question-answering heads of both families against transformers (`../shared/golden/heads`):
/// tiny models (2 layers, hidden 32, dropout 0) with their logits, loss and every gradient.
@Suite struct HeadParityTests {
    /// The model saved in `heads/<name>`, loaded strictly, and its golden file.
    private static func load<Model: PretrainedModel>(_: Model.Type, _ name: String) throws
        -> (model: Model, golden: SafeTensorsFile)
    {
        let directory = Golden.url("golden/heads/\(name)")
        let (model, report) = try Model.load(from: directory, strict: true)
        #expect(report.missing.isEmpty && report.unexpected.isEmpty, "\(report)")
        return (model, try SafeTensorsFile(url: directory.appendingPathComponent("golden.safetensors")))
    }

    /// The golden inputs as an encoder batch (token types only where the file has them).
    private static func input(_ golden: SafeTensorsFile) throws -> EncoderInput {
        let shape = try #require(golden.info("input_ids")).shape
        let typeIds = golden.info("token_type_ids") == nil ? nil : try Golden.ints(golden, "token_type_ids")
        return EncoderInput(ids: try Golden.ints(golden, "input_ids"), typeIds: typeIds,
                            attentionMask: try Golden.ints(golden, "attention_mask"),
                            batchSize: shape[0], sequenceLength: shape[1])
    }

    /// Compares `loss` with the golden loss, back-propagates it and compares every parameter's gradient, each
    /// within 1e-5 of the largest golden gradient of that tensor (at least 1), as for tiny-bert. The MLM decoder is
    /// the word-embedding matrix: transformers stores its gradient once, under the embedding's name, and so do we
    /// (a tied tensor is one parameter, listed first under that name).
    private static func expectLossAndGradients(_ model: Module, loss: Tensor, golden: SafeTensorsFile) throws {
        #expect(abs(loss.item - (try Golden.tensor(golden, "loss")).item) <= 1e-5, "loss \(loss.item)")
        loss.backward()
        var seen = Set<ObjectIdentifier>()
        let parameters = model.namedParameters().filter { seen.insert(ObjectIdentifier($0.tensor)).inserted }
        #expect(parameters.count == golden.names.filter { $0.hasPrefix("grad.") }.count)
        try expectGradientsMatch(parameters, golden)
    }

    /// Logits within 1e-5; the loss is the mean cross-entropy over the labelled positions (-100 = ignored).
    @Test(arguments: ["bert-mlm", "distilbert-mlm"])
    func maskedLanguageModel(name: String) throws {
        let (model, golden) = try Self.load(MaskedLanguageModel.self, name)
        let logits = model(try Self.input(golden)).logits
        expectClose(logits, try Golden.tensor(golden, "logits"), tolerance: 1e-5, "logits")
        let vocabulary = logits.shape[2]
        let loss = logits.reshaped([-1, vocabulary]).crossEntropy(targets: try Golden.ints(golden, "labels"))
        try Self.expectLossAndGradients(model, loss: loss, golden: golden)
    }

    /// Start and end logits within 1e-5; the loss is (CE(start) + CE(end)) / 2 as in transformers.
    @Test(arguments: ["bert-qa", "distilbert-qa"])
    func questionAnswering(name: String) throws {
        let (model, golden) = try Self.load(QuestionAnswering.self, name)
        let (start, end, _) = model(try Self.input(golden))
        expectClose(start, try Golden.tensor(golden, "start_logits"), tolerance: 1e-5, "start logits")
        expectClose(end, try Golden.tensor(golden, "end_logits"), tolerance: 1e-5, "end logits")
        let loss = (start.crossEntropy(targets: try Golden.ints(golden, "start_positions"))
            + end.crossEntropy(targets: try Golden.ints(golden, "end_positions"))) * 0.5
        try Self.expectLossAndGradients(model, loss: loss, golden: golden)
    }
}
