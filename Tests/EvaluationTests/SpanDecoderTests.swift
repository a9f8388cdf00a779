import Datasets
import Evaluation
import Foundation
import Testing

@Suite struct SpanDecoderTests {
    static let context = "The Broncos won the game."

    /// A window `[CLS] q q [SEP] The Broncos won the game . [SEP]` with the offsets of its context tokens.
    static func window(_ index: Int, context offsets: [Range<Int>?]) -> SquadFeature {
        let all: [Range<Int>?] = [nil, nil, nil, nil] + offsets + [nil]
        return SquadFeature(
            tokens: TokenizedExample(ids: all.map { _ in 1 }, label: nil, index: index), exampleIndex: 0, contextOffsets: all,
            startPosition: 0, endPosition: 0)
    }

    static let words: [Range<Int>?] = [0..<3, 4..<11, 12..<15, 16..<19, 20..<24, 24..<25]

    @Test func bestSpanInsideTheContextWithEndAfterStart() {
        let feature = Self.window(0, context: Self.words)
        // Question tokens (1, 2) have the highest logits; an end before the start (position 4) scores higher
        // than any valid pair; the best valid span is "Broncos won" (5...6).
        let start: [Float] = [0, 9, 9, 0, 0, 5, 2, 0, 0, 0, 0]
        let end: [Float] = [0, 9, 9, 0, 8, 1, 4, 0, 0, 0, 0]
        let answer = SpanDecoder().answer(context: Self.context, windows: [(feature, WindowLogits(start: start, end: end))])
        #expect(answer.text == "Broncos won")
        #expect((answer.start, answer.end, answer.score) == (4, 15, 9))
        // softmax over the 6 context tokens (positions 4...9): e^5 / sum(start) times e^4 / sum(end).
        func softmax(_ values: [Float], _ position: Int) -> Float { expf(values[position]) / values[4...9].map(expf).reduce(0, +) }
        #expect(abs(answer.probability - softmax(start, 5) * softmax(end, 6)) < 1e-6)

        // One token at most: "The" (0 + 8) beats "Broncos" (5 + 1) and "won" (2 + 4).
        let short = SpanDecoder(maxAnswerTokens: 1).answer(context: Self.context, windows: [(feature, WindowLogits(start: start, end: end))])
        #expect(short.text == "The" && short.score == 8)
        // Only the best start and end are considered, both question tokens: no answer.
        let none = SpanDecoder(candidates: 1).answer(context: Self.context, windows: [(feature, WindowLogits(start: start, end: end))])
        #expect(none == .none)
    }

    @Test func bestOverWindowsAndNoAnswerForVersionTwo() {
        let first = Self.window(0, context: Array(Self.words.prefix(3)))
        let second = Self.window(1, context: Array(Self.words.suffix(4)))
        let windows = [
            (first, WindowLogits(start: [1, 0, 0, 0, 2, 0, 0, 0], end: [1, 0, 0, 0, 0, 2, 0, 0])),
            (second, WindowLogits(start: [3, 0, 0, 0, 0, 0, 3, 0, 0], end: [3, 0, 0, 0, 0, 0, 0, 2.5, 0])),
        ]
        let answer = SpanDecoder().answer(context: Self.context, windows: windows)
        #expect(answer.text == "game.")
        #expect(answer.score == 5.5)
        // v2.0: the lowest [CLS] score over the windows (1 + 1 = 2) does not beat 5.5; with a higher one it does.
        #expect(SpanDecoder(allowsNoAnswer: true).answer(context: Self.context, windows: windows).text == "game.")
        // The lowest counts, not the highest: 12 in the first window, 2 in the second.
        var confident = windows
        confident[0].1 = WindowLogits(start: [6, 0, 0, 0, 2, 0, 0, 0], end: [6, 0, 0, 0, 0, 2, 0, 0])
        confident[1].1 = WindowLogits(start: [1, 0, 0, 0, 0, 0, 3, 0, 0], end: [1, 0, 0, 0, 0, 0, 0, 2.5, 0])
        #expect(SpanDecoder(allowsNoAnswer: true).answer(context: Self.context, windows: confident).text == "game.")
        confident[1].1 = WindowLogits(start: [4, 0, 0, 0, 0, 0, 3, 0, 0], end: [4, 0, 0, 0, 0, 0, 0, 2.5, 0])
        #expect(SpanDecoder(allowsNoAnswer: true).answer(context: Self.context, windows: confident) == .none)
    }
}
