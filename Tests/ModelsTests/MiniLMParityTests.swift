import Foundation
import Models
import SafeTensors
import Tensors
import TestSupport
import Testing
import Tokenizers

/// all-MiniLM-L6-v2 (the quick-start teacher, from `scripts/fetch-teacher`) against transformers on eight padded
/// sentences (`../shared/golden/minilm/forward.{safetensors,json}`).
@Suite struct MiniLMParityTests {
    let golden: SafeTensorsFile
    let input: EncoderInput
    let output: EncoderOutput

    init() throws {
        golden = try SafeTensorsFile(url: Golden.url("golden/minilm/forward.safetensors"))
        let (encoder, report) = try TransformerEncoder.load(from: try Teacher.directory(), strict: true)
        #expect(report.missing.isEmpty && report.unexpected.isEmpty, "\(report)")
        encoder.setTraining(false)
        let shape = try #require(golden.info("input_ids")).shape
        let input = EncoderInput(ids: try Golden.ints(golden, "input_ids"), typeIds: try Golden.ints(golden, "token_type_ids"),
                                 attentionMask: try Golden.ints(golden, "attention_mask"),
                                 batchSize: shape[0], sequenceLength: shape[1])
        self.input = input
        output = withoutGrad { encoder(input, options: .all) }
    }

    @Test func everyHiddenStateMatches() throws {
        #expect(output.hiddenStates.count == 7)
        for (index, hidden) in output.hiddenStates.enumerated() {
            let name = "hidden_states.\(index)"
            expectClose(hidden, try Golden.tensor(golden, name), tolerance: 1e-4, name)
        }
    }

    @Test func attentionProbabilitiesMatch() throws {
        #expect(input.attentionMask.contains(0), "the golden batch should exercise padding")
        #expect(output.attentionProbabilities.count == 6)
        for (index, probabilities) in output.attentionProbabilities.enumerated() {
            let name = "attentions.\(index)"
            expectClose(probabilities, try Golden.tensor(golden, name), tolerance: 1e-5, name)
        }
    }

    @Test func poolerOutputMatches() throws {
        let pooled = try #require(output.pooled)
        expectClose(pooled, try Golden.tensor(golden, "pooler_output"), tolerance: 1e-4, "pooler_output")
    }

    /// Mean over the attention mask, L2-normalised: the sentence-transformers embedding.
    @Test func sentenceEmbeddingsMatch() throws {
        let embeddings = output.lastHidden.meanPooled(attentionMask: input.attentionMask).l2NormalizedRows()
        let expected = try Golden.tensor(golden, "sentence_embedding")
        try #require(embeddings.shape == expected.shape)
        let width = embeddings.shape[1]
        for row in 0..<embeddings.shape[0] {
            let ours = embeddings.scalars[(row * width)..<((row + 1) * width)]
            let theirs = expected.scalars[(row * width)..<((row + 1) * width)]
            let dot = zip(ours, theirs).reduce(0) { $0 + Double($1.0) * Double($1.1) }
            let norms = [ours, theirs].map { $0.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot() }
            #expect(abs(norms[0] - 1) <= 1e-5, "row \(row) is not unit length: \(norms[0])")
            #expect(dot / (norms[0] * norms[1]) >= 0.99999, "row \(row): cosine \(dot / (norms[0] * norms[1]))")
        }
    }

    /// The teacher's own tokenizer turns the golden sentences into the golden inputs (what `distill embed` relies on).
    @Test func teacherTokenizerGivesTheGoldenInputs() throws {
        let texts = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: Golden.url("golden/minilm/forward.json")))
                as? [String: Any])["texts"] as? [String]
        let tokenizer = try BertTokenizer(directory: try Teacher.directory())
        let encodings = tokenizer.encodeBatch(try #require(texts), padding: .longest)
        #expect(encodings.flatMap(\.ids) == input.ids)
        #expect(encodings.flatMap(\.attentionMask) == input.attentionMask)
        #expect(encodings.flatMap(\.typeIds) == input.typeIds)
    }
}
