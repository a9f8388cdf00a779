import Datasets
import TestSupport
import Testing
import Tokenizers

@Suite struct SquadFeaturizerTests {
    static let tokenizer = Result { try BertTokenizer(directory: Golden.url("golden/tokenizer")) }
    static let superBowl = Result { try SquadDataset(path: Golden.url("data/squad/dev-v1.1-superbowl50.json").path).examples }

    /// The context text a window's answer positions point at.
    static func spanText(_ feature: SquadFeature, context: String) -> String? {
        guard let first = feature.contextOffsets[feature.startPosition], let last = feature.contextOffsets[feature.endPosition] else { return nil }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: Array(context.unicodeScalars)[first.lowerBound..<last.upperBound])
        return String(text)
    }

    @Test func superBowlWindowsHoldTheAnswerMappedBack() throws {
        let examples = try Self.superBowl.get()
        let features = try SquadFeaturizer(tokenizer: try Self.tokenizer.get()).features(of: examples)
        // transformers (5.24, BertTokenizerFast, the notebook's call) cuts the 810 questions into 830 windows; their
        // ids, type ids, offsets and answer positions agreed with these when checked by hand.
        #expect(features.count == 830)
        #expect(features.map(\.tokens.index) == Array(features.indices))
        var exact = 0, labelled = 0
        for (index, example) in examples.enumerated() {
            let windows = features.filter { $0.exampleIndex == index }
            #expect(windows.contains { $0.containsAnswer }, "\(example.id)")
            for feature in windows {
                #expect(feature.tokens.length <= 384)
                #expect(feature.tokens.ids.first == 101 && feature.tokens.ids.last == 102)
                guard feature.containsAnswer else { continue }
                labelled += 1
                let answer = example.answers[0].text
                let span = try #require(Self.spanText(feature, context: example.context), "\(example.id)")
                // The tokens cover the answer; when it starts or ends inside a word the span is that whole word.
                #expect(span.contains(answer), "\(example.id): \(span) / \(answer)")
                if span == answer { exact += 1 }
            }
        }
        #expect(labelled == 813 && exact == 797, "windows whose answer tokens are exactly the answer text: \(exact) of \(labelled)")
    }

    @Test func longContextsAreCutIntoOverlappingWindows() throws {
        let examples = Array(try Self.superBowl.get().prefix(60))
        let featurizer = SquadFeaturizer(tokenizer: try Self.tokenizer.get(), maxLength: 64, stride: 16)
        let features = try featurizer.features(of: examples)
        #expect(features.count > 2 * examples.count)
        for (index, example) in examples.enumerated() {
            let windows = features.filter { $0.exampleIndex == index }
            let full = try Self.tokenizer.get().encode(example.question, pair: example.context, maxLength: nil, truncation: .onlySecond, padToMaxLength: false)
            let contextOffsets = full.offsets.indices.filter { full.typeIds[$0] == 1 && full.specialTokensMask[$0] == 0 }.map { full.offsets[$0] }
            // Windows: every context token in order, each window starting 16 tokens before the previous one ends.
            var covered: [Range<Int>] = []
            for (number, window) in windows.enumerated() {
                #expect(window.tokens.length <= 64)
                let offsets = window.contextOffsets.compactMap { $0 }
                if number > 0 {
                    #expect(Array(covered.suffix(16)) == Array(offsets.prefix(16)), "\(example.id) window \(number)")
                    covered += offsets.dropFirst(16)
                } else {
                    covered = offsets
                }
                #expect(window.tokens.length == 64 || number == windows.count - 1)
            }
            #expect(covered == contextOffsets)
            // The answer is labelled in the windows that hold it whole, and [CLS] elsewhere.
            let answer = example.answers[0]
            for window in windows {
                let offsets = window.contextOffsets.compactMap { $0 }
                let holds = offsets[0].lowerBound <= answer.start && offsets[offsets.count - 1].upperBound >= answer.end
                #expect(window.containsAnswer == holds)
                if holds { #expect(Self.spanText(window, context: example.context)?.contains(answer.text) == true) }
            }
        }
    }

    @Test func questionsWithoutAnswerPointAtCLSAndLongQuestionsAreRefused() throws {
        let tokenizer = try Self.tokenizer.get()
        let impossible = SquadExample(id: "x", title: "", question: "Who?", context: "Nobody here.", answers: [])
        let feature = try #require(try SquadFeaturizer(tokenizer: tokenizer).features(of: [impossible]).first)
        #expect((feature.startPosition, feature.endPosition) == (0, 0))
        #expect(feature.tokens.typeIds == [0, 0, 0, 0, 1, 1, 1, 1])
        #expect(feature.contextOffsets == [nil, nil, nil, nil, 0..<6, 7..<11, 11..<12, nil])

        let long = SquadExample(id: "long", title: "", question: String(repeating: "why ", count: 50), context: "Because.", answers: [])
        #expect(throws: SquadFeatureError.questionTooLong(id: "long", tokens: 53, maxLength: 64, stride: 16)) {
            try SquadFeaturizer(tokenizer: tokenizer, maxLength: 64, stride: 16).features(of: [long])
        }
        let empty = SquadExample(id: "e", title: "", question: "Who?", context: "\u{200B}", answers: [])
        #expect(throws: SquadFeatureError.noContextTokens(id: "e")) { try SquadFeaturizer(tokenizer: tokenizer).features(of: [empty]) }
    }

    @Test func spanCollatorAttachesEachWindowsPositions() throws {
        let examples = Array(try Self.superBowl.get().prefix(3))
        let features = try SquadFeaturizer(tokenizer: try Self.tokenizer.get()).features(of: examples)
        let collator = SpanCollator(features: features, padId: 0)
        let batch = collator.collate([features[2].tokens, features[0].tokens])
        let labels = try #require(batch.labels(as: SpanLabels.self))
        #expect(labels.starts == [Int32(features[2].startPosition), Int32(features[0].startPosition)])
        #expect(labels.ends == [Int32(features[2].endPosition), Int32(features[0].endPosition)])
    }
}
