/// One SQuAD question about a context paragraph, with its reference answers.
public struct SquadExample: Sendable, Equatable {
    /// The question id (`id` in the file).
    public var id: String
    /// The title of the article the paragraph is from.
    public var title: String
    public var question: String
    /// The paragraph the answer is taken from.
    public var context: String
    /// The reference answers, in file order; empty for a question that has none (SQuAD v2.0's `is_impossible`).
    public var answers: [SquadAnswer]

    public init(id: String, title: String, question: String, context: String, answers: [SquadAnswer]) {
        self.id = id
        self.title = title
        self.question = question
        self.context = context
        self.answers = answers
    }

    /// Whether the context holds no answer (SQuAD v2.0): the model should point at `[CLS]`.
    public var isImpossible: Bool { answers.isEmpty }
}

/// A reference answer: a span of the context.
public struct SquadAnswer: Sendable, Equatable {
    public var text: String
    /// Where the answer starts in the context, in Unicode code points (Python string indices, as `answer_start`).
    public var start: Int

    public init(text: String, start: Int) {
        self.text = text
        self.start = start
    }

    /// Where the answer ends (exclusive), in code points of the context.
    public var end: Int { start + text.unicodeScalars.count }
}
