import Datasets
import Distillation
import Evaluation
import Foundation
import Models
import NN
import Tensors
import TestSupport
import Testing
import Training

/// `distill task`: the objective, one optimisation step, and whole runs with and without the teacher cache.
@Suite struct TaskDistillationTests {
    let directory: ScratchDirectory
    let teacher: SequenceClassifier
    let student: SequenceClassifier

    init() throws {
        directory = try ScratchDirectory()
        teacher = try Fixtures.saveTeacher(to: directory.path("teacher"))
        try StudentInitialization.createStudent(
            teacherDirectory: directory.path("teacher"), outputDirectory: directory.path("student"), options: StudentOptions())
        (student, _) = try SequenceClassifier.load(from: directory.path("student"))
        student.setTraining(false)  // dropout off, so that two forward passes agree
        let rows = (0..<24).map { i in
            let words = ["good movie", "bad film", "the plot was not fun", "great acting", "awful", "a very fun film"]
            return "\(words[i % words.count]) w\(i)\t\(i % 3)"
        }
        try (["sentence\tlabel"] + rows).joined(separator: "\n").write(to: directory.path("train.tsv"), atomically: true, encoding: .utf8)
        try (["sentence\tlabel"] + rows.prefix(6)).joined(separator: "\n").write(to: directory.path("dev.tsv"), atomically: true, encoding: .utf8)
    }

    private func batch(labels: any BatchLabels = ClassLabels([0, 2, 1])) -> Batch {
        let input = Fixtures.randomInput()
        return Batch(batchSize: input.batchSize, sequenceLength: input.sequenceLength, ids: input.ids, typeIds: input.typeIds ?? [],
                     attentionMask: input.attentionMask, labels: labels, exampleIndices: [0, 1, 2], tokenCount: 24)
    }

    private func distiller(_ settings: TaskDistillationSettings = TaskDistillationSettings(), layerMap: [Int] = [0, 3]) throws -> TaskDistiller {
        let objective = DistillationObjective.task(settings, layerMap: layerMap, student: student.config, teacher: teacher.config,
                                                   generator: RandomGenerator(seed: 1))
        return try TaskDistiller(teacher: teacher, student: student, objective: objective, cachedLogits: nil)
    }

    @Test func lossIsHintonsOnTheSameLogits() throws {
        let batch = batch()
        let result = try distiller().loss(batch)
        let (s, t) = withoutGrad { (student(EncoderInput(batch)).logits, teacher(EncoderInput(batch)).logits) }
        let expected = SoftTargetLoss.hinton(student: s, teacher: t, labels: [0, 2, 1], temperature: 2, alpha: 0.5)
        #expect(abs(result.loss.item - expected.loss.item) <= 1e-6)
        #expect(abs(try #require(result.logged["kd"]) - Double(expected.soft.item)) <= 1e-6)
        #expect(abs(try #require(result.logged["hard"]) - Double(expected.hard.item)) <= 1e-6)
        #expect(expected.soft.item > 0.01, "the student is not yet the teacher")

        // Extra terms are added with their weights.
        let weighted = try distiller(TaskDistillationSettings(temperature: 3, alpha: 0.9, cosineWeight: 0.5, logitsMSEWeight: 0.25)).loss(batch)
        let soft = SoftTargetLoss.hinton(student: s, teacher: t, labels: [0, 2, 1], temperature: 3, alpha: 0.9).loss.item
        let mse = s.meanSquaredError(t).item
        let cosine = try #require(weighted.logged["cosine"])
        #expect(cosine > 0)
        #expect(abs(weighted.loss.item - (soft + 0.25 * mse + 0.5 * Float(cosine))) <= 1e-5)
    }

    @Test func cosineTermComparesMappedLayers() throws {
        let batch = batch()
        let result = try distiller(TaskDistillationSettings(alpha: 1, cosineWeight: 1), layerMap: [0, 3]).loss(batch)
        let options = EncoderOutputOptions(hiddenStates: true)
        let (s, t) = withoutGrad { (student.encoder(EncoderInput(batch), options: options).hiddenStates,
                                    teacher.encoder(EncoderInput(batch), options: options).hiddenStates) }
        let expected = (HiddenStateLoss.cosine(student: s[1], teacher: t[1], mask: batch.attentionMask).item
            + HiddenStateLoss.cosine(student: s[2], teacher: t[4], mask: batch.attentionMask).item) / 2
        #expect(abs(try #require(result.logged["cosine"]) - Double(expected)) <= 1e-6)
        // The student's layers are copies of teacher layers 0 and 3, but layer 1 now sees other inputs than
        // teacher layer 3 did: the last term is not zero.
        #expect(expected > 1e-4)
    }

    @Test func regressionDistilsToTheTeachersOutput() throws {
        let regressionTeacher = try Fixtures.saveTeacher(Fixtures.tinyConfig(labels: 1), to: directory.path("regression-teacher"))
        let regressionStudent = SequenceClassifier(config: Fixtures.tinyConfig(layers: 2, labels: 1), generator: RandomGenerator(seed: 2))
        let distiller = try TaskDistiller(
            teacher: regressionTeacher, student: regressionStudent,
            objective: .task(TaskDistillationSettings(alpha: 0.25), student: regressionStudent.config, teacher: regressionTeacher.config,
                             generator: RandomGenerator(seed: 1)),
            cachedLogits: nil)
        let batch = batch(labels: RegressionTargets([0.5, 4, 2.5]))
        regressionStudent.setTraining(false)
        let result = try distiller.loss(batch)
        let (s, t) = withoutGrad { (regressionStudent(EncoderInput(batch)).logits.reshaped([3]), regressionTeacher(EncoderInput(batch)).logits.reshaped([3])) }
        let expected = 0.25 * s.meanSquaredError(t).item + 0.75 * s.meanSquaredError(Tensor(shape: [3], values: [0.5, 4, 2.5])).item
        #expect(abs(result.loss.item - expected) <= 1e-5)
    }

    @Test func questionAnsweringDistilsFromCachedOrLiveStartAndEnd() throws {
        let qaTeacher = try Fixtures.saveTeacher(QuestionAnswering.self, Fixtures.tinyConfig(labels: 2), to: directory.path("qa-teacher"))
        let qaStudent = try StudentInitialization.makeStudent(from: qaTeacher, teacherHasHead: true, options: StudentOptions()).model
        qaStudent.setTraining(false)
        // Rows of one length: no padding, where a cached teacher differs from a live one.
        let examples = (0..<4).map { (index: Int) -> TokenizedExample in
            let words: [Int32] = (0..<6).map { Int32(5 + 7 * $0 + index) }
            return TokenizedExample(ids: [2] + words + [3], label: nil, index: index)
        }
        let cached = try TeacherLogits.compute(teacher: qaTeacher, examples: examples, batchSize: 2, padId: 0)
        let batch = Batch(padding: examples, padId: 0, labels: SpanLabels(starts: [1, 2, 3, 1], ends: [2, 5, 3, 6]))
        let live = try TaskDistiller(teacher: qaTeacher, student: qaStudent, objective: .questionAnswering(), cachedLogits: nil).loss(batch)
        let distiller = try TaskDistiller(teacher: qaTeacher, student: qaStudent, objective: .questionAnswering(), cachedLogits: cached)
        let fromCache = try distiller.loss(batch)
        #expect(distiller.teacherForwardPasses == 0)
        // Equal here (observed 0 on a loss near 2.3); the cache ran the teacher on batches of 2 and the live pass on
        // 4, which other kernels may round differently by a few ulps.
        #expect(abs(fromCache.loss.item - live.loss.item) <= 1e-6)
        #expect(try #require(live.logged["kd"]) > 0.01 && live.logged["hard"] != nil)
        #expect(throws: TaskDistillationError.incompatible("the cached teacher logits are [batch, 3], the teacher's outputs [batch, seq], [batch, seq]")) {
            try TaskDistiller(teacher: qaTeacher, student: qaStudent, objective: .questionAnswering(),
                              cachedLogits: TeacherLogits(outputs: [.init(shape: .perExample([3]), values: [])], exampleIndices: [], lengths: []))
        }
    }

    @Test func oneStepReducesTheDistillationLoss() throws {
        let batch = batch()
        let distiller = try distiller(TaskDistillationSettings(alpha: 1))
        let optimizer = AdamW(groups: AdamW.bertGroups(of: student, weightDecay: 0), learningRate: 1e-3)
        let before = try distiller.loss(batch)
        before.loss.backward()
        optimizer.update()
        let after = try distiller.loss(batch)
        #expect(after.loss.item < before.loss.item * 0.99)
        #expect(teacher.parameter(named: "classifier.weight")?.grad == nil, "no gradient reaches the teacher")
    }

    @Test func mismatchedPairsAreRefused() throws {
        let other = SequenceClassifier(config: Fixtures.tinyConfig(layers: 2, labels: 2), generator: RandomGenerator(seed: 1))
        #expect(throws: TaskDistillationError.incompatible("the teacher has 3 output(s) and the student 2")) {
            try TaskDistiller(teacher: teacher, student: other,
                              objective: .task(TaskDistillationSettings(), student: other.config, teacher: teacher.config,
                                               generator: RandomGenerator(seed: 1)),
                              cachedLogits: nil)
        }
        #expect(throws: TaskDistillationError.badLayerMap(source: .term("cosine"), reason: "layer 4 does not exist; the teacher has layers 0...3")) {
            try distiller(TaskDistillationSettings(cosineWeight: 1), layerMap: [0, 4])
        }
        #expect(throws: TaskDistillationError.invalidSetting(.alpha, "must be between 0 and 1")) {
            try TaskDistillationSettings(alpha: 1.5).validate()
        }
        #expect(throws: TaskDistillationError.self) {
            try TaskDistiller.layerMap(requested: nil, student: Fixtures.tinyConfig(layers: 2), teacher: teacher.config, studentConfigPath: "s/config.json")
        }
        #expect(try TaskDistiller.layerMap(requested: nil, student: student.config, teacher: teacher.config, studentConfigPath: "s/config.json") == [0, 2])
        var narrow = Fixtures.tinyConfig(layers: 2)
        narrow.hiddenSize = 16
        #expect(throws: TaskDistillationError.widthMismatch(student: 16, teacher: 32)) {
            try TaskDistiller.layerMap(requested: [0, 1], student: narrow, teacher: teacher.config, studentConfigPath: "s/config.json")
        }
    }

    private func request(output: String, epochs: Int = 2, settings: TaskDistillationSettings = TaskDistillationSettings()) -> TaskDistillationRequest {
        var request = TaskDistillationRequest(
            teacherDirectory: directory.path("teacher"), studentDirectory: directory.path("student"),
            trainPath: directory.path("train.tsv").path, devPath: directory.path("dev.tsv").path,
            outputDirectory: directory.path(output))
        request.settings = settings
        request.training.epochs = epochs
        request.training.batchSize = 8
        request.training.maxLength = 16
        request.training.learningRate = 1e-3
        request.cacheDirectory = directory.path("cache")
        return request
    }

    private static let quiet = ProgressOutput(isTerminal: false) { _ in }

    @Test func cachedRunsNeverRunTheTeacherWhileTraining() throws {
        let first = try TaskDistillationRun(request(output: "run1"), progressOutput: Self.quiet)
        #expect(first.cacheOutcome == .computed(reason: "no cache yet"))
        let summary = try first.train()
        #expect(summary.steps == 6 && summary.bestMetric != nil)
        #expect(first.distiller.teacherForwardPasses == 0, "both epochs read the cache")
        #expect(first.teacherDevScores != nil)

        let second = try TaskDistillationRun(request(output: "run2"), progressOutput: Self.quiet)
        #expect(second.cacheOutcome == .hit)

        var changed = request(output: "run3")
        changed.training.maxLength = 12
        #expect(try TaskDistillationRun(changed, progressOutput: Self.quiet).cacheOutcome == .computed(reason: "max length changed"))

        let exported = try SequenceClassifier.load(from: directory.path("run1"), strict: true).model
        #expect(exported.config.layerCount == 2 && exported.config.distillTeacherLayers == [0, 2])
    }

    @Test func cosineLossBypassesTheCache() throws {
        let run = try TaskDistillationRun(request(output: "cosine", epochs: 1, settings: TaskDistillationSettings(cosineWeight: 1)),
                                          progressOutput: Self.quiet)
        #expect(run.cacheOutcome == nil)
        _ = try run.train()
        #expect(run.distiller.teacherForwardPasses == 3)
        #expect(!FileManager.default.fileExists(atPath: directory.path("cache").path))
    }

    @Test func regressionRunUsesTheTeachersOutputs() throws {
        try Fixtures.saveTeacher(Fixtures.tinyConfig(labels: 1), to: directory.path("regression-teacher"))
        try StudentInitialization.createStudent(
            teacherDirectory: directory.path("regression-teacher"), outputDirectory: directory.path("regression-student"),
            options: StudentOptions(source: .teacherLayers([1, 2])))
        let rows = (0..<16).map { "good film w\($0)\t\(Double($0) / 4)" }
        try (["sentence\tlabel"] + rows).joined(separator: "\n").write(to: directory.path("scores.tsv"), atomically: true, encoding: .utf8)
        var request = TaskDistillationRequest(
            teacherDirectory: directory.path("regression-teacher"), studentDirectory: directory.path("regression-student"),
            trainPath: directory.path("scores.tsv").path, devPath: directory.path("scores.tsv").path,
            outputDirectory: directory.path("regression-run"))
        request.training.epochs = 1
        request.training.batchSize = 8
        request.training.maxLength = 16
        let run = try TaskDistillationRun(request, progressOutput: Self.quiet)
        #expect(run.labels == nil && run.metrics == [.pearson, .spearman])
        #expect(run.distiller.cachedLogits?.shapes == [.perExample([1])])
        let summary = try run.train()
        #expect(summary.steps == 2 && summary.lastEvaluation?["pearson"] != nil)
    }
}
