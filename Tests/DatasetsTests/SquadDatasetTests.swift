import Datasets
import JSON
import TestSupport
import Testing

@Suite struct SquadDatasetTests {
    static let superBowl = Golden.url("data/squad/dev-v1.1-superbowl50.json").path

    /// `qas` of one paragraph "The Broncos won." inside one article, as a document.
    static func document(context: String = "The Broncos won.", qas: String) throws -> JSONValue {
        try JSONValue.parse(#"{"version": "1.1", "data": [{"title": "T", "paragraphs": [{"context": "ok", "qas": []}, "#
            + #"{"context": \#(JSONValue.quoted(context)), "qas": [\#(qas)]}]}]}"#)
    }

    static func error(context: String = "The Broncos won.", qas: String) throws -> SquadError? {
        let document = try document(context: context, qas: qas)
        do {
            _ = try SquadDataset(document: document, path: "inline.json")
            return nil
        } catch {
            return error
        }
    }

    @Test func readsTheSuperBowlArticle() throws {
        let dataset = try SquadDataset(path: Self.superBowl)
        #expect(dataset.examples.count == 810)
        let first = try #require(dataset.examples.first)
        #expect(first.id == "56be4db0acb8001400a502ec")
        #expect(first.title == "Super_Bowl_50")
        #expect(first.question == "Which NFL team represented the AFC at Super Bowl 50?")
        #expect(first.answers == Array(repeating: SquadAnswer(text: "Denver Broncos", start: 177), count: 3))
        #expect(dataset.examples.allSatisfy { !$0.isImpossible })
    }

    @Test func readsVersionTwoImpossibleQuestionsAndCodePointOffsets() throws {
        let qas = #"{"id": "q1", "question": "Who?", "answers": [], "is_impossible": true, "plausible_answers": [{"text": "x", "answer_start": 0}]}, "#
            + #"{"id": "q2", "question": "What?", "answers": [{"text": "Broncos", "answer_start": 6}], "is_impossible": false}"#
        let examples = try SquadDataset(document: try Self.document(context: "Thé 🏈 Broncos", qas: qas), path: "v2.json").examples
        #expect(examples.map(\.id) == ["q1", "q2"])
        #expect(examples[0].isImpossible && examples[0].answers.isEmpty)
        // 🏈 is one code point (two UTF-16 units), so "Broncos" starts at Python index 6.
        #expect(examples[1].answers == [SquadAnswer(text: "Broncos", start: 6)])
        #expect(examples[1].answers[0].end == 13)
    }

    @Test func errorsNameArticleParagraphAndQuestion() throws {
        let missing = try #require(try Self.error(qas: #"{"id": "q7", "answers": [{"text": "Broncos", "answer_start": 4}]}"#))
        #expect(missing.location == SquadError.Location(article: 0, title: "T", paragraph: 1, question: "q7"))
        #expect(missing.description == #"inline.json: article 0 ("T"), paragraph 1, question q7: missing key "data[0].paragraphs[1].qas[0].question""#)

        let outside = try #require(try Self.error(qas: #"{"id": "q8", "question": "?", "answers": [{"text": "won.", "answer_start": 14}]}"#))
        #expect(outside.reason == .answerOutsideContext(start: 14, length: 4, contextLength: 16))
        #expect(outside.location?.question == "q8")

        let huge = try #require(try Self.error(qas: #"{"id": "q0", "question": "?", "answers": [{"text": "won", "answer_start": 9223372036854775807}]}"#))
        #expect(huge.reason == .answerOutsideContext(start: Int.max, length: 3, contextLength: 16))

        let shifted = try #require(try Self.error(qas: #"{"id": "q9", "question": "?", "answers": [{"text": "Broncos", "answer_start": 3}]}"#))
        #expect(shifted.reason == .answerMismatch(answer: "Broncos", found: " Bronco"))

        let noId = try #require(try Self.error(qas: #"{"question": "?", "answers": []}"#))
        #expect(noId.location?.question == "#0")
        let unanswered = try #require(try Self.error(qas: #"{"id": "a", "question": "?", "answers": []}"#))
        #expect(unanswered.reason == .noAnswer)
        let twice = #"{"id": "a", "question": "?", "answers": [{"text": "won", "answer_start": 12}]}"#
        #expect(try Self.error(qas: twice + ", " + twice)?.reason == .duplicateId)
        #expect(try Self.error(context: "  ", qas: "")?.reason == .emptyContext)
        let wrongType = try #require(try Self.error(qas: #"{"id": "a", "question": "?", "answers": [{"text": "won", "answer_start": "12"}]}"#))
        #expect(wrongType.reason == .malformed(JSONAccessError(
            path: "data[0].paragraphs[1].qas[0].answers[0].answer_start", fault: .wrongKind(expected: "an integer", found: "a string"))))
    }

    @Test func fileErrorsHaveNoLocation() throws {
        let error = try #require(throws: SquadError.self) { try SquadDataset(path: "/nonexistent/squad.json") }
        #expect(error.location == nil)
        let notSquad = try #require(throws: SquadError.self) { try SquadDataset(document: ["version": "1.1"], path: "x.json") }
        #expect(notSquad.description == #"x.json: missing key "data""#)
    }
}
