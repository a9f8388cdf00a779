import JSON

/// A SQuAD file that cannot be read, located by file and, for a malformed entry, by article, paragraph and
/// question.
public struct SquadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where in the file the problem is.
    public struct Location: Sendable, Equatable, CustomStringConvertible {
        /// The 0-based article index and its title (when it has one).
        public var article: Int
        public var title: String?
        /// The 0-based paragraph index within the article, if the problem is inside a paragraph.
        public var paragraph: Int?
        /// The question id (or, when it has none, its 0-based index within the paragraph as `#n`).
        public var question: String?

        public init(article: Int, title: String? = nil, paragraph: Int? = nil, question: String? = nil) {
            self.article = article
            self.title = title
            self.paragraph = paragraph
            self.question = question
        }

        public var description: String {
            var parts = ["article \(article)" + (title.map { " (\"\($0.errorExcerpt())\")" } ?? "")]
            if let paragraph { parts.append("paragraph \(paragraph)") }
            if let question { parts.append("question \(question.errorExcerpt())") }
            return parts.joined(separator: ", ")
        }
    }

    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// The file could not be opened or read.
        case unreadable(String)
        /// The file is not valid JSON.
        case invalidJSON(String)
        /// A key is missing or holds the wrong kind of value.
        case malformed(JSONAccessError)
        /// The context is empty or only whitespace.
        case emptyContext
        /// A question that is not marked impossible has no answer.
        case noAnswer
        /// An answer does not lie inside its context (`start` and `length` in code points).
        case answerOutsideContext(start: Int, length: Int, contextLength: Int)
        /// The context at `answer_start` does not hold the answer text.
        case answerMismatch(answer: String, found: String)
        /// Two questions share an id.
        case duplicateId

        public var description: String {
            switch self {
            case .unreadable(let reason): "cannot read the file: \(reason)"
            case .invalidJSON(let reason): "not valid JSON: \(reason)"
            case .malformed(let error): error.description
            case .emptyContext: "the context is empty"
            case .noAnswer: "no answer, and the question is not marked is_impossible"
            case .answerOutsideContext(let start, let length, let contextLength):
                "the answer (\(length) characters at answer_start \(start)) lies outside the context (\(contextLength) characters)"
            case .answerMismatch(let answer, let found):
                "the answer \"\(answer.errorExcerpt())\" is not the context's text at answer_start (\"\(found.errorExcerpt())\")"
            case .duplicateId: "the question id appears twice"
            }
        }
    }

    public let path: String
    /// `nil` for problems with the whole file.
    public let location: Location?
    public let reason: Reason

    public init(path: String, location: Location?, reason: Reason) {
        self.path = path
        self.location = location
        self.reason = reason
    }

    public var description: String {
        "\(path): " + (location.map { "\($0): " } ?? "") + reason.description
    }
}
