import Foundation
import Models
import SafeTensors
import Tensors
import TestSupport
import Testing

/// DistilBertForSequenceClassification (2 layers, dim 32, DistilBERT key layout) against PyTorch:
/// every hidden state and the logits (`../shared/golden/tiny-distilbert`).
@Suite struct TinyDistilBertParityTests {
    let directory = Golden.url("golden/tiny-distilbert")

    @Test func strictLoadHiddenStatesAndLogitsMatchPyTorch() throws {
        let golden = try SafeTensorsFile(url: directory.appendingPathComponent("golden.safetensors"))
        let (model, report) = try SequenceClassifier.load(from: directory, strict: true)
        #expect(report.missing.isEmpty && report.unexpected.isEmpty, "\(report)")
        #expect(model.config.modelType == .distilbert)
        model.setTraining(false)

        let shape = try #require(golden.info("input_ids")).shape
        let input = EncoderInput(ids: try Golden.ints(golden, "input_ids"),
                                 attentionMask: try Golden.ints(golden, "attention_mask"),
                                 batchSize: shape[0], sequenceLength: shape[1])
        #expect(input.attentionMask.contains(0), "the golden batch should exercise padding")
        let (logits, output) = withoutGrad { model(input, options: EncoderOutputOptions(hiddenStates: true)) }

        #expect(output.hiddenStates.count == 3)
        for (index, hidden) in output.hiddenStates.enumerated() {
            let name = "hidden_states.\(index)"
            expectClose(hidden, try Golden.tensor(golden, name), tolerance: 1e-5, name)
        }
        expectClose(logits, try Golden.tensor(golden, "logits"), tolerance: 1e-5, "logits")
    }
}
