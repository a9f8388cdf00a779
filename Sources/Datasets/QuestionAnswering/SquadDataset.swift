import Foundation
import JSON

/// The questions of a SQuAD file (v1.1, or v2.0 with `is_impossible`), in file order:
/// `{"data": [{"title", "paragraphs": [{"context", "qas": [{"id", "question", "answers": [{"text",
/// "answer_start"}], "is_impossible"?}]}]}]}`. Every answer is checked against its context.
public struct SquadDataset: Sendable {
    /// The file it was read from, as given.
    public let path: String
    public let examples: [SquadExample]

    /// Reads and checks the file at `path`.
    public init(path: String) throws(SquadError) {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SquadError(path: path, location: nil, reason: .unreadable(error.localizedDescription))
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes, skippingByteOrderMark: true)
        } catch {
            throw SquadError(path: path, location: nil, reason: .invalidJSON(error.description))
        }
        try self.init(document: document, path: path)
    }

    /// Reads a parsed document; `path` names it in errors.
    public init(document: JSONValue, path: String) throws(SquadError) {
        self.path = path
        func fail(_ location: SquadError.Location?, _ reason: SquadError.Reason) -> SquadError {
            SquadError(path: path, location: location, reason: reason)
        }
        func read<Value>(_ location: SquadError.Location?, _ body: () throws(JSONAccessError) -> Value) throws(SquadError) -> Value {
            do { return try body() } catch { throw fail(location, .malformed(error)) }
        }
        var examples: [SquadExample] = []
        var seenIds = Set<String>()
        let articles = try read(nil) { () throws(JSONAccessError) in try JSONNode(document).member("data").elements() }
        for (articleIndex, article) in articles.enumerated() {
            var location = SquadError.Location(article: articleIndex)
            location.title = try read(location) { () throws(JSONAccessError) in try article.optional("title", as: String.self) }
            let title = location.title ?? ""
            let paragraphs = try read(location) { () throws(JSONAccessError) in try article.member("paragraphs").elements() }
            for (paragraphIndex, paragraph) in paragraphs.enumerated() {
                location.paragraph = paragraphIndex
                location.question = nil
                let context = try read(location) { () throws(JSONAccessError) in try paragraph.required("context", as: String.self) }
                if context.allSatisfy(\.isWhitespace) { throw fail(location, .emptyContext) }
                let contextScalars = Array(context.unicodeScalars)
                let questions = try read(location) { () throws(JSONAccessError) in try paragraph.member("qas").elements() }
                for (questionIndex, entry) in questions.enumerated() {
                    location.question = "#\(questionIndex)"
                    let id = try read(location) { () throws(JSONAccessError) in try entry.required("id", as: String.self) }
                    location.question = id
                    guard seenIds.insert(id).inserted else { throw fail(location, .duplicateId) }
                    let question = try read(location) { () throws(JSONAccessError) in try entry.required("question", as: String.self) }
                    let impossible = try read(location) { () throws(JSONAccessError) in
                        try entry.optional("is_impossible", as: Bool.self) ?? false
                    }
                    var answers: [SquadAnswer] = []
                    if !impossible {
                        let nodes = try read(location) { () throws(JSONAccessError) in try entry.member("answers").elements() }
                        for node in nodes {
                            let answer = try read(location) { () throws(JSONAccessError) in
                                SquadAnswer(text: try node.required("text"), start: try node.required("answer_start"))
                            }
                            if let reason = Self.check(answer, in: contextScalars) { throw fail(location, reason) }
                            answers.append(answer)
                        }
                        if answers.isEmpty { throw fail(location, .noAnswer) }
                    }
                    examples.append(SquadExample(id: id, title: title, question: question, context: context, answers: answers))
                }
            }
        }
        self.examples = examples
    }

    /// What is wrong with `answer` as a span of `context`, or `nil` when it is one.
    private static func check(_ answer: SquadAnswer, in context: [Unicode.Scalar]) -> SquadError.Reason? {
        let length = answer.text.unicodeScalars.count
        // Not `answer.end <= context.count`: a huge `answer_start` would overflow.
        guard answer.start >= 0, length > 0, answer.start <= context.count - length else {
            return .answerOutsideContext(start: answer.start, length: length, contextLength: context.count)
        }
        let found = context[answer.start..<answer.end]
        guard found.elementsEqual(answer.text.unicodeScalars) else {
            var text = String.UnicodeScalarView()
            text.append(contentsOf: found)
            return .answerMismatch(answer: answer.text, found: String(text))
        }
        return nil
    }
}
