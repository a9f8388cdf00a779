import Datasets
import Distillation
import Evaluation
import Foundation
import JSON
import Models
import TestSupport
import Testing
import Training

/// `distill finetune --task squad` and `distill task --task squad` on a tiny question-answering model and a small
/// SQuAD file, and `distill answer` / `distill eval --task squad` on the result.
@Suite struct QuestionAnsweringRunTests {
    let directory: ScratchDirectory

    /// Two paragraphs of the fixture vocabulary, the second longer than one 32-token window.
    static let contexts = [
        "the movie was good and the plot was fun",
        (0..<30).map { "w\($0)" }.joined(separator: " ") + " the acting was awful",
    ]
    static let questions: [(question: String, answer: String, paragraph: Int)] = [
        ("was the movie good", "good", 0), ("the plot was", "fun", 0), ("the movie", "the movie", 0),
        ("w3 w4", "w5 w6", 1), ("the acting", "awful", 1), ("w20", "w21", 1),
    ]

    /// The questions as a SQuAD v1.1 document.
    static var squadJSON: String {
        let paragraphs = contexts.indices.map { paragraph -> JSONValue in
            let context = contexts[paragraph]
            let qas = questions.enumerated().filter { $0.element.paragraph == paragraph }.map { index, entry -> JSONValue in
                let start = context.range(of: entry.answer).map { context.distance(from: context.startIndex, to: $0.lowerBound) } ?? 0
                return ["id": .string("q\(index)"), "question": .string(entry.question),
                        "answers": [["text": .string(entry.answer), "answer_start": JSONValue(start)]]]
            }
            return ["context": .string(context), "qas": .array(qas)]
        }
        return JSONValue.object([.init(key: "data", value: [["title": "Fixture", "paragraphs": .array(paragraphs)]])]).serialized()
    }

    init() throws {
        directory = try ScratchDirectory()
        try Fixtures.saveTeacher(QuestionAnswering.self, Fixtures.tinyConfig(labels: 2), to: directory.path("base"))
        try Self.squadJSON.write(to: directory.path("squad.json"), atomically: true, encoding: .utf8)
    }

    private static let quiet = ProgressOutput(isTerminal: false) { _ in }

    private func training(epochs: Int) -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.epochs = epochs
        configuration.batchSize = 4
        configuration.maxLength = 384  // capped to the tiny models' 32 positions
        configuration.learningRate = 1e-3
        return configuration
    }

    /// Fine-tunes the base model into `output` (2 epochs of 3 batches of up to 4 windows).
    @discardableResult
    private func fineTune(output: String, resume: Bool = false, stopAfterStep: Int? = nil) throws
        -> (QuestionAnsweringFineTuningRun, TrainingSummary)
    {
        let squad = directory.path("squad.json").path
        var request = FineTuningRequest(modelDirectory: directory.path("base"), trainPath: squad, devPath: squad, outputDirectory: directory.path(output))
        request.training = training(epochs: 2)
        let run = try QuestionAnsweringFineTuningRun(request, progressOutput: Self.quiet)
        return (run, try run.train(resume: resume, stopAfterStep: stopAfterStep))
    }

    @Test func fineTuningTrainsOnWindowsAndKeepsTheBestModelByF1() throws {
        let (run, summary) = try fineTune(output: "teacher")
        #expect(run.questionCount == 6 && run.windowCount == 9, "the long paragraph's three questions take two windows each")
        #expect(run.trainer.configuration.maxLength == 32)
        #expect(summary.steps == 6 && summary.bestMetric != nil)
        #expect(summary.lastEvaluation?["exact_match"] != nil)
        let (saved, _) = try QuestionAnswering.load(from: directory.path("teacher"), strict: true)
        #expect(saved.config.architectures == ["BertForQuestionAnswering"])
    }

    @Test func anInterruptedRunResumesToTheSameWeights() throws {
        let (uninterrupted, _) = try fineTune(output: "whole")
        let (_, stopped) = try fineTune(output: "parts", stopAfterStep: 4)
        #expect(stopped.stoppedEarly && stopped.steps == 4)
        let (resumed, summary) = try fineTune(output: "parts", resume: true)
        #expect(summary.steps == 6 && !summary.stoppedEarly)
        let expected = Dictionary(uniqueKeysWithValues: uninterrupted.model.namedParameters().map { ($0.name, $0.tensor.scalars) })
        for (name, tensor) in resumed.model.namedParameters() {
            #expect(tensor.scalars == expected[name], "\(name)")
        }
    }

    @Test func distillationCachesTheTeachersLogitsPerWindow() throws {
        try fineTune(output: "teacher")
        try StudentInitialization.createStudent(
            teacherDirectory: directory.path("teacher"), outputDirectory: directory.path("student"),
            options: StudentOptions(source: .teacherLayers([0, 2])))
        let squad = directory.path("squad.json").path
        var request = TaskDistillationRequest(
            teacherDirectory: directory.path("teacher"), studentDirectory: directory.path("student"), trainPath: squad,
            devPath: squad, outputDirectory: directory.path("distilled"))
        request.training = training(epochs: 1)
        request.cacheDirectory = directory.path("cache")
        let run = try QuestionAnsweringDistillationRun(request, progressOutput: Self.quiet)
        #expect(run.cacheOutcome == .computed(reason: "no cache yet"))
        #expect(run.distiller.cachedLogits?.shapes == [.perToken([]), .perToken([])])
        #expect(run.trainingWindows.count == 9 && run.teacherDevScores != nil)
        let summary = try run.train()
        #expect(summary.steps == 3 && run.distiller.teacherForwardPasses == 0)
        let log = try String(contentsOf: directory.path("distilled/metrics.jsonl"), encoding: .utf8)
        #expect(log.contains("\"kd\"") && log.contains("\"hard\"") && log.contains("\"f1\""))
        #expect(try QuestionAnsweringDistillationRun(request, progressOutput: Self.quiet).cacheOutcome == .hit)
        let (student, _) = try QuestionAnswering.load(from: directory.path("distilled"), strict: true)
        #expect(student.config.layerCount == 2)
    }

    @Test func answerAndEvalCommands() throws {
        try fineTune(output: "teacher")
        let model = directory.path("teacher").path
        let input = """
            {"question": "was the movie good", "context": "the movie was good and the plot was fun"}

            {"question": "w3", "context": "\(Self.contexts[1])"}
            {"question": "who"}
            """
        let answered = try CommandLine.runDistill(["answer", "--model", model], input: input)
        #expect(answered.status == 1)
        #expect(answered.errors.contains("standard input line 4: missing key \"context\""), "\(answered.errors)")
        let lines = answered.output.split(separator: "\n").map { try? JSONNode(JSONValue.parse(String($0))) }
        #expect(lines.count == 2)
        for (line, context) in zip(lines, [Self.contexts[0], Self.contexts[1]]) {
            let node = try #require(line)
            let (answer, start, end): (String, Int, Int) = (try node.required("answer"), try node.required("start"), try node.required("end"))
            let score: Double = try node.required("score")
            #expect(0 <= start && start < end && end <= context.unicodeScalars.count && score > 0 && score <= 1)
            #expect(String(context.unicodeScalars.dropFirst(start).prefix(end - start)) == answer)
        }

        let report = directory.path("eval.json").path
        let evaluated = try CommandLine.runDistill(
            ["eval", "--task", "squad", "--model", model, "--data", directory.path("squad.json").path, "--json", report, "--latency-examples", "2",
             "--rounds", "2"])
        #expect(evaluated.status == 0, "\(evaluated.errors)")
        #expect(evaluated.output.contains("exact_match"))
        let entries = try JSONNode(JSONValue.parse(String(contentsOfFile: report, encoding: .utf8))).elements()
        #expect(entries.count == 1)
        #expect(try entries[0].member("rounds").elements().count == 2, "every timing round is kept")
        let f1: Double = try entries[0].required("f1")
        #expect((0...100).contains(f1))
        #expect(try entries[0].required("windows", as: Int.self) == 9)

        // --logits: every window's ids and start/end logits, for scripts/check-hf-roundtrip.py --outputs.
        let logitsFile = directory.path("logits.jsonl").path
        let dumped = try CommandLine.runDistill(
            ["eval", "--task", "squad", "--model", model, "--data", directory.path("squad.json").path, "--latency-examples", "1",
             "--logits", logitsFile])
        #expect(dumped.status == 0, "\(dumped.errors)")
        let windows = try String(contentsOfFile: logitsFile, encoding: .utf8).split(separator: "\n").map { try JSONNode(JSONValue.parse(String($0))) }
        #expect(windows.count == 9)
        for window in windows {
            let ids: [Int] = try window.member("input_ids").elements().map { try $0.decode() }
            let starts: [Double] = try window.member("start_logits").elements().map { try $0.decode() }
            let ends: [Double] = try window.member("end_logits").elements().map { try $0.decode() }
            #expect(ids.count > 2 && starts.count == ids.count && ends.count == ids.count && starts.allSatisfy(\.isFinite))
            #expect(try window.member("token_type_ids").elements().count == ids.count)
        }
        let twoModels = try CommandLine.runDistill(
            ["eval", "--task", "squad", "--model", model, "--model", model, "--data", directory.path("squad.json").path, "--logits", logitsFile])
        #expect(twoModels.status != 0 && twoModels.errors.contains("--logits needs exactly one --model"), "\(twoModels.errors)")
        let classification = try CommandLine.runDistill(["eval", "--model", model, "--data", "dev.tsv", "--logits", logitsFile])
        #expect(classification.errors.contains("--logits applies to --task mlm and --task squad only"), "\(classification.errors)")

        // --max-length sets the window of every squad path (the tiny models' 32 positions cap the default 384).
        let narrow = try CommandLine.runDistill(
            ["eval", "--task", "squad", "--model", model, "--data", directory.path("squad.json").path, "--json", report,
             "--latency-examples", "1", "--max-length", "24"])
        #expect(narrow.status == 0, "\(narrow.errors)")
        let narrowWindows = try JSONNode(JSONValue.parse(String(contentsOfFile: report, encoding: .utf8))).elements()[0]
            .required("windows", as: Int.self)
        #expect(narrowWindows > 9, "shorter windows, more of them")
        let trained = try CommandLine.runDistill(
            ["finetune", "--task", "squad", "--model", directory.path("base").path, "--train", directory.path("squad.json").path,
             "--output", directory.path("narrow").path, "--max-length", "24", "--epochs", "1", "--batch-size", "4"])
        #expect(trained.status == 0 && trained.errors.contains("windows of up to 24 tokens"), "\(trained.errors)")
    }
}
