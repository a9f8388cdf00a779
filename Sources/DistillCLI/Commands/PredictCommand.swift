import ArgumentParser
import Evaluation
import Foundation

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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var pending: [(text: String, pair: String?)] = []
        func answer() throws {
            for prediction in try predictor.predict(pending) {
                FileHandle.standardOutput.write(try encoder.encode(prediction) + Data("\n".utf8))
            }
            pending.removeAll(keepingCapacity: true)
        }
        var lineNumber = 0
        while let line = readLine() {
            lineNumber += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                pending.append(try PredictionInput.parse(line))
            } catch {
                try answer()
                throw CommandLineError("standard input line \(lineNumber): \(error.reason)")
            }
            if pending.count == batchSize { try answer() }
        }
        try answer()
    }
}

/// The text (and optional second text) of one input line.
private enum PredictionInput {
    struct Problem: Error {
        let reason: String
    }

    static func parse(_ line: String) throws(Problem) -> (text: String, pair: String?) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        } catch {
            throw Problem(reason: "not valid JSON")
        }
        guard let fields = object as? [String: Any] else { throw Problem(reason: "expected a JSON object") }
        guard let text = fields["text"] as? String else {
            throw Problem(reason: fields["text"] == nil ? "missing \"text\"" : "\"text\" is not a string")
        }
        guard !text.allSatisfy(\.isWhitespace) else { throw Problem(reason: "\"text\" is empty") }
        let pair = fields["text_pair"]
        if pair == nil || pair is NSNull { return (text, nil) }
        guard let pair = pair as? String else { throw Problem(reason: "\"text_pair\" is not a string") }
        return (text, pair)
    }
}
