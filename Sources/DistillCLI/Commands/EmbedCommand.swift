import ArgumentParser
import Foundation
import JSON
import Models
import SafeTensors
import Tensors
import Tokenizers

/// `distill embed`: sentence embeddings (mean-pooled, L2-normalised last hidden states) of JSON lines on stdin.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print a sentence embedding for every JSON line on stdin.",
        discussion: """
            Reads one JSON object per line on stdin, {"text": "..."} (other keys are ignored, blank lines \
            skipped), and prints {"embedding": [...]} per line: the encoder's last hidden state averaged over the \
            text's tokens and scaled to unit length, as sentence-transformers computes it for all-MiniLM-L6-v2. \
            The model runs in evaluation mode on batches of texts of similar length (stdin is read 8 batches at a \
            time and sorted by length, to save padding); the output keeps the input order.

            DIR is a Hugging Face model directory (config.json, model.safetensors, tokenizer.json or vocab.txt): \
            a bare BertModel/DistilBertModel or any task model, whose head is then ignored.

            A malformed line stops the command with an error naming its line number (exit code 1); the lines \
            before it have been printed.

            Example:
              printf '{"text": "A charming journey."}\\n{"text": "A dull one."}\\n' |
                distill embed --model cache/all-MiniLM-L6-v2 --batch-size 64
            """)

    @Option(help: ArgumentHelp("The model directory.", valueName: "dir"))
    var model: String

    @Option(help: "Texts per forward pass.")
    var batchSize = 32

    @Option(help: """
        Truncate texts to this many tokens, [CLS] and [SEP] included (default: max_seq_length of \
        sentence_bert_config.json if present, else the tokenizer's model_max_length; never more than the model's \
        max_position_embeddings).
        """)
    var maxLength: Int?

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, not \(batchSize)") }
        if let maxLength, maxLength < 2 { throw ValidationError("--max-length must be at least 2, not \(maxLength)") }
    }

    func run() throws {
        let directory = URL(fileURLWithPath: model)
        let encoder = try Self.loadEncoder(from: directory)
        let tokenizer = try BertTokenizer(directory: directory)
        let length = min(maxLength ?? Self.defaultMaxLength(directory, tokenizer) ?? .max, encoder.config.maxPositions)
        // Texts are read a few batches at a time and batched by length, which cuts the padding (and the work)
        // by half or more on typical data; the results are printed in input order.
        let window = batchSize * Self.batchesPerWindow
        try JSONLines.forEachBatch(size: window, pairs: .refused, nextLine: { readLine() }) { records in
            let encodings = tokenizer.encodeBatch(records.map(\.text), maxLength: length, padding: .none)
            let byLength = encodings.indices.sorted { encodings[$0].count < encodings[$1].count }
            var lines = [String](repeating: "", count: encodings.count)
            for start in stride(from: 0, to: byLength.count, by: batchSize) {
                let members = byLength[start..<min(start + batchSize, byLength.count)]
                let embeddings = Self.embeddings(members.map { encodings[$0] }, encoder: encoder, tokenizer: tokenizer)
                let (width, values) = (embeddings.shape[1], embeddings.scalars)
                for (row, member) in members.enumerated() {
                    let embedding = values[(row * width)..<((row + 1) * width)].map { JSONValue($0) }
                    let line: JSONValue = ["embedding": .array(embedding)]
                    lines[member] = line.serialized(.spaced)
                }
            }
            for line in lines { print(line) }
        }
    }

    /// How many batches are read and sorted by length together.
    static let batchesPerWindow = 8

    /// `[texts, hidden]` unit-length mean-pooled last hidden states of `encodings`, padded to the longest of them.
    static func embeddings(_ encodings: [Encoding], encoder: TransformerEncoder, tokenizer: BertTokenizer) -> Tensor {
        var padded = encodings
        let length = encodings.map(\.count).max() ?? 0
        for index in padded.indices { tokenizer.pad(&padded[index], to: length) }
        let input = EncoderInput(ids: padded.flatMap(\.ids), typeIds: padded.flatMap(\.typeIds),
                                 attentionMask: padded.flatMap(\.attentionMask), batchSize: padded.count,
                                 sequenceLength: length)
        return withoutGrad {
            encoder(input).lastHidden.meanPooled(attentionMask: input.attentionMask).l2NormalizedRows()
        }
    }

    /// The encoder of the model in `directory` in evaluation mode, without the pooler (which embeddings do not
    /// use). A task model's head weights are skipped; any missing encoder weight is an error.
    static func loadEncoder(from directory: URL) throws -> TransformerEncoder {
        let configFile = directory.appendingPathComponent("config.json")
        let config = try ModelConfig(contentsOf: configFile)
        // Every weight comes from the checkpoint (a missing one is an error), so none is drawn.
        let generator = RandomGenerator(seed: 0)
        let (encoder, _) = generator.deferringNormals { config.makeEncoder(withPooler: false, generator: generator) }
        let report = try encoder.loadWeights(from: SafeTensorsCheckpoint(directory: directory), config: config,
                                             configFile: configFile)
        guard report.missing.isEmpty else {
            throw ModelWeightsError.missingWeights(directory: directory.path, names: report.missing)
        }
        encoder.setTraining(false)
        return encoder
    }

    /// sentence-transformers' `max_seq_length` when the directory has a `sentence_bert_config.json`, else the
    /// tokenizer's `model_max_length`.
    static func defaultMaxLength(_ directory: URL, _ tokenizer: BertTokenizer) -> Int? {
        let url = directory.appendingPathComponent("sentence_bert_config.json")
        if let data = try? Data(contentsOf: url),
           let length = (try? JSONValue.parse(data, skippingByteOrderMark: true))?["max_seq_length"]?.integerValue {
            return length
        }
        return tokenizer.modelMaxLength
    }
}
