import ArgumentParser
import Datasets
import Evaluation
import Foundation
import JSON

/// `distill answer`: extractive question answering on JSON lines, the question-answering pipeline of the SQuAD
/// distillation notebook.
struct AnswerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "answer",
        abstract: "Answer questions about a context with a question-answering model (JSON lines in and out).",
        discussion: """
            Each input line is a JSON object {"question": ..., "context": ...}; blank lines are skipped. Each \
            output line is {"answer": TEXT, "score": PROBABILITY, "start": S, "end": E}: the answer is the \
            context's characters S..<E (Unicode code points, as Python string indices), the score \
            softmax(start) x softmax(end) over the context's tokens. Long contexts are cut into windows of \
            384 tokens sharing 128 (SQuAD's settings; fewer when the model has fewer positions) and the best span \
            of at most 30 tokens among the 20 best starts and ends of every window wins. A malformed line \
            stops the command with an error naming it, after the lines before it are answered.

            Example:
              echo '{"question": "Who won?", "context": "The Broncos won the game."}' \\
                | distill answer --model runs/squad-student
            """)

    @Option(help: "Question-answering model directory (BertForQuestionAnswering or DistilBertForQuestionAnswering, tokenizer files).")
    var model: String

    @Option(help: "Read the questions from this file instead of standard input.")
    var input: String?

    @Option(help: "Questions per forward pass (1: each question is answered as soon as it is read).")
    var batchSize = 1

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        let model = try SavedQuestionAnswering(directory: URL(fileURLWithPath: model))
        let featurizer = model.featurizer()
        let source = input ?? "standard input"
        let nextLine: () -> String?
        if let input {
            guard let text = try? String(contentsOfFile: input, encoding: .utf8) else {
                throw CommandLineError("--input \(input): cannot read the file as UTF-8 text")
            }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).makeIterator()
            nextLine = { lines.next().map(String.init) }
        } else {
            nextLine = { readLine() }
        }
        var pending: [SquadExample] = []
        func answer() throws {
            guard !pending.isEmpty else { return }
            do {
                for answer in try model.answers(to: pending, featurizer: featurizer, batchSize: max(batchSize, 1)) {
                    print(JSONValue.object([
                        .init(key: "answer", value: .string(answer.text)), .init(key: "score", value: JSONValue(answer.probability)),
                        .init(key: "start", value: JSONValue(answer.start)), .init(key: "end", value: JSONValue(answer.end)),
                    ]).serialized())
                }
            } catch let error as SquadFeatureError {
                throw CommandLineError("\(source): \(error)")
            }
            pending.removeAll(keepingCapacity: true)
        }
        var lineNumber = 0
        while let line = nextLine() {
            lineNumber += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                pending.append(try Self.question(line, number: lineNumber))
            } catch {
                try answer()
                throw CommandLineError("\(source) line \(lineNumber): \(error)")
            }
            if pending.count == batchSize { try answer() }
        }
        try answer()
    }

    /// The question on one input line (its id is the line number, for errors).
    static func question(_ line: String, number: Int) throws -> SquadExample {
        let node: JSONNode
        do {
            node = JSONNode(try JSONValue.parse(Array(line.utf8), skippingByteOrderMark: number == 1))
        } catch {
            throw CommandLineError("invalid JSON: \(error.description)")
        }
        let question: String = try node.required("question"), context: String = try node.required("context")
        guard !context.allSatisfy(\.isWhitespace) else { throw CommandLineError("\"context\" is empty") }
        return SquadExample(id: "line \(number)", title: "", question: question, context: context, answers: [])
    }
}
