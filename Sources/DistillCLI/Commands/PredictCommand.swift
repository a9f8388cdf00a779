import ArgumentParser
import Evaluation
import Foundation
import JSON

/// `distill predict`: labels for JSON lines read from standard input.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Classify JSON lines from standard input with a fine-tuned model.",
        discussion: """
            Each input line is a JSON object {"text": ...} with an optional "text_pair"; blank lines are \
            skipped. Each output line is {"label": NAME, "score": PROBABILITY}, the name from the model's \
            id2label, or {"score": VALUE} for a regression model, in input order. Lines are classified in \
            batches; a malformed line stops the command with an error naming it, after the lines before it \
            are answered.

            Example:
              echo '{"text": "a gorgeous, witty film"}' | distill predict --model runs/sst2
            """)

    @Option(help: "Fine-tuned model directory (config.json with id2label, model.safetensors, tokenizer files).")
    var model: String

    @Option(help: "Lines per forward pass.")
    var batchSize = 32

    @Option(help: "Truncate inputs to this many tokens (default and maximum: the model's limit).")
    var maxLength: Int?

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let maxLength, maxLength < 2 { throw ValidationError("--max-length must be at least 2") }
    }

    func run() throws {
        let predictor = ClassifierPredictor(
            classifier: try SavedClassifier(directory: URL(fileURLWithPath: model)), maxLength: maxLength,
            batchSize: batchSize)
        var pending: [(text: String, pair: String?)] = []
        func answer() throws {
            for prediction in try predictor.predict(pending) {
                let label = prediction.label.map { [JSONValue.Member(key: "label", value: .string($0))] } ?? []
                print(JSONValue.object(label + [.init(key: "score", value: JSONValue(prediction.score))]).serialized())
            }
            pending.removeAll(keepingCapacity: true)
        }
        var lineNumber = 0
        while let line = readLine() {
            lineNumber += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            do throws(JSONLinesError) {
                guard let record = try JSONLines.record(line, number: lineNumber, pairs: .optional) else { continue }
                guard !record.text.allSatisfy(\.isWhitespace) else {
                    throw JSONLinesError(line: lineNumber, fault: .emptyText)
                }
                pending.append((record.text, record.pair))
            } catch {
                try answer()
                throw CommandLineError("standard input line \(lineNumber): \(error.fault)")
            }
            if pending.count == batchSize { try answer() }
        }
        try answer()
    }
}
