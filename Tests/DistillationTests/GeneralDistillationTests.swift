import Datasets
import Distillation
import Foundation
import Models
import NN
import SafeTensors
import Tensors
import TestSupport
import Testing
import Training

/// `GeneralDistillationRun` and `distill general` on tiny models (width 32, 4 layers) and a tiny corpus.
struct GeneralDistillationTests {
    /// A masked-LM teacher, a 2-layer student of its layers, a narrower random student, and corpus files whose
    /// word frequencies fall steeply (word k of the vocabulary about 1/(k+1) as often as the first).
    struct Workspace {
        let scratch: ScratchDirectory
        var teacher: URL { scratch.path("teacher") }
        /// Teacher layers 0 and 2, with its masked-LM head.
        var layerStudent: URL { scratch.path("student-layers") }
        /// 2 layers of width 24, 4 heads, random.
        var narrowStudent: URL { scratch.path("student-narrow") }
        var corpus: [String] { [scratch.path("a.txt").path, scratch.path("b.txt").path] }
        var heldOut: String { scratch.path("heldout.txt").path }

        init() throws {
            scratch = try ScratchDirectory()
            try Fixtures.saveTeacher(MaskedLanguageModel.self, Fixtures.tinyConfig(), to: teacher)
            try StudentInitialization.createStudent(
                teacherDirectory: teacher, outputDirectory: layerStudent, options: StudentOptions(source: .teacherLayers([0, 2])))
            try StudentInitialization.createStudent(
                teacherDirectory: teacher, outputDirectory: narrowStudent,
                options: StudentOptions(source: .random(RandomStudentShape(layerCount: 2, hiddenSize: 24, headCount: 4, intermediateSize: 48))))
            let lines = Self.sentences(count: 90)
            try lines[0..<30].joined(separator: "\n").write(to: scratch.path("a.txt"), atomically: true, encoding: .utf8)
            try lines[30..<60].joined(separator: "\n").write(to: scratch.path("b.txt"), atomically: true, encoding: .utf8)
            try lines[60...].joined(separator: "\n").write(to: scratch.path("heldout.txt"), atomically: true, encoding: .utf8)
        }

        /// Sentences of 3 to 12 words of the fixture vocabulary, word k drawn with probability ∝ 1/(k+1).
        static func sentences(count: Int) -> [String] {
            let words = Array(Fixtures.vocabulary.dropFirst(5))
            let weights = words.indices.map { 1 / Double($0 + 1) }
            let total = weights.reduce(0, +)
            let generator = RandomGenerator(seed: 11)
            func word() -> String {
                var draw = Double(generator.uniform()) * total
                for (index, weight) in weights.enumerated() {
                    draw -= weight
                    if draw <= 0 { return words[index] }
                }
                return words[words.count - 1]
            }
            return (0..<count).map { _ in (0..<(3 + generator.below(10))).map { _ in word() }.joined(separator: " ") }
        }

        func request(_ objective: any GeneralObjective, student: URL, output: String, steps: Int) -> GeneralDistillationRequest {
            var request = GeneralDistillationRequest(
                teacherDirectory: teacher, studentDirectory: student, corpusPaths: corpus,
                outputDirectory: scratch.path(output), objective: objective, steps: steps)
            request.training.batchSize = 4
            request.training.maxLength = 12
            request.training.warmupRatio = 0
            request.lengthGroupingPool = 3
            return request
        }
    }

    static let silent = ProgressOutput(isTerminal: false) { _ in }

    static func weights(_ module: Module) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: module.namedParameters().map { ($0.name, $0.tensor.scalars) })
    }

    static func trainLines(_ output: URL) throws -> [String] {
        try String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { $0.contains("\"split\":\"train\"") }
    }

    @Test func distilBERTLogsItsThreeTermsAndExportsAMaskedLanguageModel() throws {
        let workspace = try Workspace()
        var request = workspace.request(DistilBERTObjective(), student: workspace.layerStudent, output: "distilbert", steps: 4)
        request.heldOutPath = workspace.heldOut
        request.training.logEvery = 1
        let run = try GeneralDistillationRun(request, progressOutput: Self.silent)
        #expect(run.objective.terms.map(\.term.name) == ["ce", "mlm", "cosine"])
        #expect(run.objective.terms.map(\.weight) == [5, 2, 1])
        #expect(run.trainer.configuration.adamBeta2 == 0.98 && run.trainer.configuration.adamEpsilon == 1e-6)
        #expect(run.reusedTokenCounts == false)
        let summary = try run.train()
        #expect(summary.lastEvaluation?["masked_accuracy"] != nil)
        let lines = try Self.trainLines(request.outputDirectory)
        #expect(lines.count == 4)
        for key in ["\"ce\"", "\"mlm\"", "\"cosine\"", "\"loss\""] { #expect(lines[0].contains(key), "\(lines[0])") }
        let (loaded, report) = try MaskedLanguageModel.load(from: request.outputDirectory, strict: true)
        #expect(report.missing.isEmpty && report.unexpected.isEmpty)
        #expect(loaded.config.architectures == ["BertForMaskedLM"])
        // The counts were kept beside the run and are reused by the next one.
        let again = try GeneralDistillationRun(request, progressOutput: Self.silent)
        #expect(again.reusedTokenCounts == true)
    }

    /// A student without a masked-LM head gets the teacher's when the widths match.
    @Test func aHeadlessStudentOfTheTeachersWidthGetsTheTeachersHead() throws {
        let workspace = try Workspace()
        let base = workspace.scratch.path("base-student")
        let (teacher, _) = try MaskedLanguageModel.load(from: workspace.teacher)
        try TransformerEncoder(config: Fixtures.tinyConfig(layers: 2), generator: RandomGenerator(seed: 4)).save(to: base)
        let run = try GeneralDistillationRun(workspace.request(DistilBERTObjective(), student: base, output: "head", steps: 1), progressOutput: Self.silent)
        #expect(run.copiedTeacherHead)
        let student = try #require(run.student as? MaskedLanguageModel)
        #expect(student.transform.weight.scalars == teacher.transform.weight.scalars)
        #expect(student.vocabularyBias.scalars == teacher.vocabularyBias.scalars)
        #expect(!run.freshStudentParameters.contains { $0.hasPrefix("cls.") }, "\(run.freshStudentParameters)")
    }

    /// TinyBERT with a narrower student: the projection trains and is checkpointed, but is not in the export.
    @Test func tinyBERTTrainsAProjectionThatStaysOutOfTheExportedStudent() throws {
        let workspace = try Workspace()
        var request = workspace.request(TinyBERTObjective(), student: workspace.narrowStudent, output: "tinybert", steps: 3)
        request.training.logEvery = 1
        let run = try GeneralDistillationRun(request, progressOutput: Self.silent)
        #expect(run.objective.terms.map(\.term.name) == ["attention", "hidden_mse"])
        #expect(run.trainer.parameters.contains { $0.name == "hidden_mse_projection.weight" })
        _ = try run.train(stopAfterStep: 2)
        let checkpoint = try SafeTensorsFile(url: run.trainer.checkpointDirectory.appendingPathComponent("parameters.safetensors"))
        #expect(checkpoint.names.contains("hidden_mse_projection.weight"))
        _ = try GeneralDistillationRun(request, progressOutput: Self.silent).train(resume: true)
        let exported = try SafeTensorsFile(url: request.outputDirectory.appendingPathComponent("model.safetensors"))
        #expect(!exported.names.contains { $0.contains("projection") }, "\(exported.names)")
        let (_, report) = try TransformerEncoder.load(from: request.outputDirectory, strict: true)
        #expect(report.missing.isEmpty)
        let config = try ModelConfig(contentsOf: request.outputDirectory.appendingPathComponent("config.json"))
        #expect(config.architectures == ["BertModel"])
        #expect(try Self.trainLines(request.outputDirectory).last?.contains("\"attention\"") == true)
    }

    @Test func tinyBERTsUniformLayerMap() {
        // k = 2: student layer i learns from teacher layer 2i + 1 (hidden states: h_{i+1} from h_{2(i+1)}).
        #expect(TinyBERTObjective.uniformLayerMap(studentLayers: 2, teacherLayers: 4) == [1, 3])
        #expect(TinyBERTObjective.uniformLayerMap(studentLayers: 3, teacherLayers: 6) == [1, 3, 5])
        #expect(TinyBERTObjective.uniformLayerMap(studentLayers: 4, teacherLayers: 6) == [0, 2, 3, 5])
        #expect(TinyBERTObjective.uniformLayerMap(studentLayers: 4, teacherLayers: 12) == [2, 5, 8, 11])
    }

    @Test func miniLMv2RelatesTheLastStudentLayerToTheChosenTeacherLayer() throws {
        let workspace = try Workspace()
        var request = workspace.request(MiniLMv2Objective(teacherLayer: 2, relationHeads: 8), student: workspace.narrowStudent,
                                        output: "minilm", steps: 3)
        request.training.logEvery = 1
        let run = try GeneralDistillationRun(request, progressOutput: Self.silent)
        let before = Self.weights(run.student)
        _ = try run.train()
        #expect(Self.weights(run.student) != before)
        #expect(try Self.trainLines(request.outputDirectory).allSatisfy { $0.contains("\"relation\"") })
        let bad = workspace.request(MiniLMv2Objective(relationHeads: 5), student: workspace.narrowStudent, output: "bad", steps: 1)
        #expect(throws: TaskDistillationError.incompatible("5 relation heads do not divide the widths 24 and 32")) {
            try GeneralDistillationRun(bad, progressOutput: Self.silent)
        }
    }

    @Test(arguments: ["distilbert", "tinybert"])
    func aResumedRunEndsWithTheWeightsOfAnUninterruptedOne(objective: String) throws {
        let workspace = try Workspace()
        let (preset, student): (any GeneralObjective, URL) = objective == "distilbert"
            ? (DistilBERTObjective(), workspace.layerStudent) : (TinyBERTObjective(), workspace.narrowStudent)
        // 14 updates of 2 x 4 sequences: more than the corpus holds, so both files are read in turn and again.
        func request(_ output: String) -> GeneralDistillationRequest {
            var request = workspace.request(preset, student: student, output: output, steps: 14)
            request.training.gradientAccumulation = 2
            return request
        }
        let whole = try GeneralDistillationRun(request("whole"), progressOutput: Self.silent)
        _ = try whole.train()
        let wholeWeights = try Data(contentsOf: workspace.scratch.path("whole/model.safetensors"))
        for stop in [4, 9] {
            let output = "parts-\(stop)"
            _ = try GeneralDistillationRun(request(output), progressOutput: Self.silent).train(stopAfterStep: stop)
            let resumed = try GeneralDistillationRun(request(output), progressOutput: Self.silent)
            _ = try resumed.train(resume: true)
            #expect(Self.weights(resumed.student) == Self.weights(whole.student), "stopped after update \(stop)")
            #expect(try Data(contentsOf: workspace.scratch.path("\(output)/model.safetensors")) == wholeWeights)
        }
    }

    /// Two processes (threads joined by an in-process group) with batch 2 each against one with batch 4. DistilBERT's
    /// terms are means over the real tokens (vocabulary KL, cosine) and the masked ones (MLM), MiniLMv2's over the
    /// real query rows, and the corpus's sentences of 3 to 12 words put different numbers of them in the two
    /// shares: each process weights each term by its share of that term's count, so two processes follow one.
    @Test(arguments: ["distilbert", "minilmv2"])
    func twoProcessesOfHalfTheBatchFollowOne(objective: String) throws {
        let workspace = try Workspace()
        let (preset, student): (any GeneralObjective, URL) = objective == "distilbert"
            ? (DistilBERTObjective(), workspace.layerStudent) : (MiniLMv2Objective(), workspace.narrowStudent)
        var request = workspace.request(preset, student: student, output: "single", steps: 6)
        request.training.learningRate = 1e-3
        let single = try GeneralDistillationRun(request, progressOutput: Self.silent)
        request.training.batchSize = 2
        request.outputDirectory = workspace.scratch.path("parallel")
        // Observed: at most 1e-7 relative for DistilBERT; 7e-6 for MiniLMv2, all of it in one word embedding whose
        // gradient at some update is near 0, where Adam's normalisation turns rounding noise into steps (before
        // the weighting by tokens: 0.04 and 0.2).
        try InProcessGroup.expectRanks(2, toFollow: single, keyBiasNoise: 1e-5) { group in
            try GeneralDistillationRun(request, progressOutput: Self.silent, processGroup: group)
        } train: { try $0.train() } weights: { Self.weights($0.student) }
    }

    @Test func aDistilBERTObjectiveNeedsATeacherWithAMaskedLanguageModelHead() throws {
        let workspace = try Workspace()
        var request = workspace.request(DistilBERTObjective(), student: workspace.layerStudent, output: "x", steps: 1)
        let base = workspace.scratch.path("base-teacher")
        try TransformerEncoder(config: Fixtures.tinyConfig(), generator: RandomGenerator(seed: 4)).save(to: base)
        try Fixtures.vocabulary.joined(separator: "\n").write(to: base.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        request.teacherDirectory = base
        #expect(throws: GeneralDistillationError.teacherHasNoMaskedLanguageModelHead(directory: base.path, objective: "distilbert")) {
            try GeneralDistillationRun(request, progressOutput: Self.silent)
        }
    }

    @Test func badCorpusFilesAreNamed() throws {
        let workspace = try Workspace()
        let empty = workspace.scratch.path("empty.txt"), binary = workspace.scratch.path("latin1.txt")
        try Data().write(to: empty)
        try Data("good movie\nfun pl\u{e9}".utf8.map { $0 } + [0xE9, 0x0A]).write(to: binary)
        for (file, expected) in [(empty, CorpusError.noDocuments(file: empty.path)), (binary, .invalidUTF8(file: binary.path, line: 2))] {
            var request = workspace.request(TinyBERTObjective(), student: workspace.narrowStudent, output: "bad", steps: 2)
            request.corpusPaths = [file.path]
            #expect(throws: expected) { try GeneralDistillationRun(request, progressOutput: Self.silent) }
        }
        var skipping = workspace.request(TinyBERTObjective(), student: workspace.narrowStudent, output: "skip", steps: 2)
        skipping.corpusPaths = [workspace.corpus[0], binary.path]
        skipping.skipInvalidLines = true
        let run = try GeneralDistillationRun(skipping, progressOutput: Self.silent)
        #expect(run.skippedCorpusLines.map(\.file) == [binary.path] && run.skippedCorpusLines.map(\.skippedLines) == [1])
        var none = workspace.request(TinyBERTObjective(), student: workspace.narrowStudent, output: "none", steps: 2)
        none.corpusPaths = []
        #expect(throws: GeneralDistillationError.noCorpus) { try GeneralDistillationRun(none, progressOutput: Self.silent) }
        var heldOut = none
        heldOut.corpusPaths = workspace.corpus
        heldOut.heldOutPath = workspace.heldOut
        #expect(throws: GeneralDistillationError.heldOutNeedsMaskedLanguageModel(objective: "tinybert")) {
            try GeneralDistillationRun(heldOut, progressOutput: Self.silent)
        }
    }
}

/// `distill general` end to end, one tiny run per objective.
@Suite(.enabled(if: CommandLine.distillBinary != nil, "the distill executable is not next to the test bundle"))
struct GeneralDistillationCommandTests {
    @Test(arguments: [("distilbert", "student-layers", "BertForMaskedLM"), ("tinybert", "student-narrow", "BertModel"),
                      ("minilmv2", "student-narrow", "BertModel")])
    func generalDistillsAndExports(objective: String, student: String, architecture: String) throws {
        let workspace = try GeneralDistillationTests.Workspace()
        let output = workspace.scratch.path("out-\(objective)")
        let heldOut = objective == "distilbert" ? ["--heldout", workspace.heldOut] : []
        let result = try CommandLine.runDistill(
            ["general", "--teacher", workspace.teacher.path, "--student", workspace.scratch.path(student).path,
             "--objective", objective, "--corpus"] + workspace.corpus
                + ["--output", output.path, "--max-steps", "3", "--batch-size", "4", "--max-length", "12"] + heldOut)
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("3/3 updates"), "\(result.output)")
        let config = try ModelConfig(contentsOf: output.appendingPathComponent("config.json"))
        #expect(config.architectures == [architecture])
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("vocab.txt").path))
    }

    /// `mpirun -np 2` with batch 2 each against one process with batch 4: the same weights within float
    /// reassociation. TinyBERT's terms are means over equal-sized rows; DistilBERT's average over tokens (real or
    /// masked), which the shares hold in different numbers, each process weighting its means by its part of them.
    @Test(arguments: [("tinybert", "student-narrow"), ("distilbert", "student-layers")])
    func twoProcessesOfHalfTheBatchDistilTheWeightsOfOne(objective: String, student: String) throws {
        let workspace = try GeneralDistillationTests.Workspace()
        func general(_ output: String, batchSize: Int) -> [String] {
            ["general", "--teacher", workspace.teacher.path, "--student", workspace.scratch.path(student).path,
             "--objective", objective, "--corpus"] + workspace.corpus
                + ["--output", workspace.scratch.path(output).path, "--max-steps", "6", "--batch-size", "\(batchSize)",
                   "--max-length", "12", "--lr", "1e-3"]
        }
        let single = try CommandLine.runDistill(general("single", batchSize: 4))
        #expect(single.status == 0, "\(single.errors)")
        let parallel = try CommandLine.runDistill(general("parallel", batchSize: 2), processes: 2)
        #expect(parallel.status == 0, "\(parallel.errors)")
        expectSameWeights(
            try savedWeights(in: workspace.scratch.path("parallel")), try savedWeights(in: workspace.scratch.path("single")),
            keyBiasNoise: 1e-5)
    }

    @Test func commandLineErrorsNameTheOption() throws {
        let workspace = try GeneralDistillationTests.Workspace()
        let base = workspace.scratch.path("base-teacher")
        try TransformerEncoder(config: Fixtures.tinyConfig(), generator: RandomGenerator(seed: 4)).save(to: base)
        try Fixtures.vocabulary.joined(separator: "\n").write(to: base.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        func general(_ teacher: URL, _ extra: [String]) throws -> (status: Int32, output: String, errors: String) {
            try CommandLine.runDistill(
                ["general", "--teacher", teacher.path, "--student", workspace.layerStudent.path, "--corpus"] + workspace.corpus
                    + ["--output", workspace.scratch.path("out").path, "--max-steps", "2", "--max-length", "12"] + extra)
        }
        let headless = try general(base, ["--objective", "distilbert"])
        #expect(headless.status != 0 && headless.errors.contains("distill mlm"), "\(headless.errors)")
        let misplaced = try general(workspace.teacher, ["--objective", "tinybert", "--alpha-ce", "3"])
        #expect(misplaced.status != 0 && misplaced.errors.contains("--alpha-ce applies to --objective distilbert only"), "\(misplaced.errors)")
        let narrow = try CommandLine.runDistill(
            ["general", "--teacher", workspace.teacher.path, "--student", workspace.narrowStudent.path, "--corpus"] + workspace.corpus
                + ["--output", workspace.scratch.path("narrow").path, "--max-steps", "1", "--max-length", "12", "--objective", "distilbert"])
        #expect(narrow.status != 0 && narrow.errors.contains("pass --alpha-cos 0"), "\(narrow.errors)")
        let negative = try general(workspace.teacher, ["--objective", "distilbert", "--alpha-mlm=-1"])
        #expect(negative.status != 0 && negative.errors.contains("--alpha-mlm must not be negative"), "\(negative.errors)")
    }
}
