import Foundation
import Datasets

/// The start and end logits of one window, over its tokens (no padding).
public struct WindowLogits: Sendable, Equatable {
    public var start: [Float]
    public var end: [Float]

    public init(start: [Float], end: [Float]) {
        precondition(start.count == end.count, "\(start.count) start logits but \(end.count) end logits")
        self.start = start
        self.end = end
    }
}

/// An answer: a span of the context.
public struct SpanAnswer: Sendable, Equatable {
    /// The context's text in the span; empty for "no answer".
    public var text: String
    /// The span, `[start, end)` in Unicode code points of the context (Python string indices).
    public var start: Int
    public var end: Int
    /// The start logit plus the end logit (what spans are ranked by).
    public var score: Float
    /// softmax(start logits)[start] · softmax(end logits)[end], both softmaxes over the window's context tokens
    /// (the score of transformers' question-answering pipeline).
    public var probability: Float

    public init(text: String, start: Int, end: Int, score: Float, probability: Float) {
        self.text = text
        self.start = start
        self.end = end
        self.score = score
        self.probability = probability
    }

    /// What is answered when no span qualifies (transformers' post-processing answers "" with score 0).
    public static let none = SpanAnswer(text: "", start: 0, end: 0, score: 0, probability: 0)
}

/// Turns the windows' start and end logits into an answer, as transformers' SQuAD post-processing does: in each
/// window the `candidates` highest start and end logits are paired, pairs are kept when both tokens are in the
/// context, the end is not before the start and the span is at most `maxAnswerTokens` tokens; the pair with the
/// highest start + end logit over all windows wins, and its tokens' offsets give the text.
public struct SpanDecoder: Sendable {
    /// Start and end positions considered per window (the notebook's `n_best_size`).
    public var candidates = 20
    /// The longest answer, in tokens (the notebook's `max_answer_length`).
    public var maxAnswerTokens = 30
    /// SQuAD v2.0: answer "" when the lowest `[CLS]` score (start + end logit at position 0) over the windows
    /// beats the best span (as transformers' `postprocess_qa_predictions` with a null threshold of 0).
    public var allowsNoAnswer = false

    public init(candidates: Int = 20, maxAnswerTokens: Int = 30, allowsNoAnswer: Bool = false) {
        self.candidates = candidates
        self.maxAnswerTokens = maxAnswerTokens
        self.allowsNoAnswer = allowsNoAnswer
    }

    /// The best answer in `context` from the windows of one example and their logits.
    public func answer(context: String, windows: [(feature: SquadFeature, logits: WindowLogits)]) -> SpanAnswer {
        var best: (window: Int, start: Int, end: Int, score: Float)?
        var nullScore = Float.infinity
        for (number, (feature, logits)) in windows.enumerated() {
            let offsets = feature.contextOffsets
            if let first = logits.start.first, let firstEnd = logits.end.first { nullScore = min(nullScore, first + firstEnd) }
            for start in Self.topIndices(logits.start, count: candidates) where start < offsets.count && offsets[start] != nil {
                for end in Self.topIndices(logits.end, count: candidates)
                where end < offsets.count && offsets[end] != nil && end >= start && end - start < maxAnswerTokens {
                    let score = logits.start[start] + logits.end[end]
                    if score > best?.score ?? -.infinity { best = (number, start, end, score) }
                }
            }
        }
        guard let best, !(allowsNoAnswer && nullScore > best.score),
              let first = windows[best.window].feature.contextOffsets[best.start],
              let last = windows[best.window].feature.contextOffsets[best.end]
        else { return .none }
        let scalars = Array(context.unicodeScalars)
        // Offsets come from the context's own tokens; clamping only guards against a window from another context.
        let lower = min(first.lowerBound, scalars.count)
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars[lower..<max(lower, min(last.upperBound, scalars.count))])
        let window = windows[best.window]
        let probability = Self.probability(of: best.start, window.logits.start, in: window.feature.contextOffsets)
            * Self.probability(of: best.end, window.logits.end, in: window.feature.contextOffsets)
        return SpanAnswer(text: String(text), start: first.lowerBound, end: last.upperBound, score: best.score, probability: probability)
    }

    /// The positions of the `count` largest values, largest first (ties: the lower position first).
    static func topIndices(_ values: [Float], count: Int) -> [Int] {
        Array(values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }.prefix(count))
    }

    /// softmax(`logits`)[`position`] over the positions that are context tokens.
    static func probability(of position: Int, _ logits: [Float], in offsets: [Range<Int>?]) -> Float {
        let context = logits.indices.filter { $0 < offsets.count && offsets[$0] != nil }
        let maximum = context.map { logits[$0] }.max() ?? 0
        let total = context.reduce(Float(0)) { $0 + expf(logits[$1] - maximum) }
        return expf(logits[position] - maximum) / total
    }
}
