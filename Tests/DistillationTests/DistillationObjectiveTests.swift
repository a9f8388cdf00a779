import Datasets
import Distillation
import Foundation
import Models
import NN
import Tensors
import TestSupport
import Testing
import Training

/// Objectives as lists of weighted terms: the sum and its log, the layer-wise terms on real models, and a
/// learned projection that trains with the student and resumes exactly.
@Suite struct DistillationObjectiveTests {
    let directory: ScratchDirectory
    let teacher: SequenceClassifier
    /// Half the teacher's width (16), two layers.
    let narrowStudent: SequenceClassifier

    init() throws {
        directory = try ScratchDirectory()
        teacher = try Fixtures.saveTeacher(to: directory.path("teacher"))
        var narrow = Fixtures.tinyConfig(layers: 2)
        narrow.hiddenSize = 16
        narrowStudent = SequenceClassifier(config: narrow, generator: RandomGenerator(seed: 5))
        narrowStudent.setTraining(false)
    }

    private var batch: Batch {
        let input = Fixtures.randomInput()
        return Batch(batchSize: input.batchSize, sequenceLength: input.sequenceLength, ids: input.ids, typeIds: input.typeIds ?? [],
                     attentionMask: input.attentionMask, labels: ClassLabels([0, 2, 1]), exampleIndices: [0, 1, 2], tokenCount: 24)
    }

    @Test func sumsWeightedTermsAndLogsEachTerm() throws {
        let student = Tensor(shape: [2, 3], values: [0.5, -1, 2, 0, 0.25, 1])
        let teacher = Tensor(shape: [2, 3], values: [1, 0, -1, 2, 0.5, -0.5])
        let pair = DistillationPair(batch: batch, student: ModelOutputs(logits: [student]), teacher: ModelOutputs(logits: [teacher]))
        let objective = DistillationObjective([.init(0.25, SoftTargetKL(temperature: 2)), .init(3, LogitsMSE())])
        let result = try objective(pair)
        let kd = SoftTargetLoss.kl(student: student, teacher: teacher, temperature: 2).mean().item
        let mse = student.meanSquaredError(teacher).item
        #expect(result.logged == ["kd": Double(kd), "mse_logits": Double(mse)])
        #expect(abs(result.loss.item - (0.25 * kd + 3 * mse)) <= 1e-6)
        #expect(!objective.needsTeacherEncoder && objective.trainableModules.isEmpty)
    }

    @Test func questionAnsweringStudentsAreDistilledOnStartAndEnd() throws {
        let qaTeacher = QuestionAnswering(config: Fixtures.tinyConfig(), generator: RandomGenerator(seed: 3))
        let qaStudent = QuestionAnswering(config: Fixtures.tinyConfig(layers: 2), generator: RandomGenerator(seed: 4))
        qaStudent.setTraining(false)
        let objective = DistillationObjective([.init(1, SoftTargetKL(temperature: 2))])
        let result = try TaskDistiller(teacher: qaTeacher, student: qaStudent, objective: objective, cachedLogits: nil).loss(batch)
        let input = EncoderInput(batch)
        let (s, t) = withoutGrad { (qaStudent(input), qaTeacher(input)) }
        let expected = (SoftTargetLoss.kl(student: s.start, teacher: t.start, temperature: 2).mean().item
            + SoftTargetLoss.kl(student: s.end, teacher: t.end, temperature: 2).mean().item) / 2
        // Relative 1.5e-5 observed: the distiller's student pass records gradients, so its GELU is our kernel rather
        // than oneDNN's fused one, and a KL between two close distributions magnifies that relative difference.
        #expect(expected > 0 && abs(result.loss.item - expected) <= 5e-5 * expected)
    }

    @Test func attentionTermComparesMappedLayersScores() throws {
        let student = try StudentInitialization.makeStudent(from: teacher, teacherHasHead: true, options: StudentOptions()).model
        student.setTraining(false)
        let objective = DistillationObjective([.init(1, AttentionScoreMSE(teacherLayers: [1, 3]))])
        #expect(objective.needsTeacherEncoder && objective.encoderOutputs.attentions)
        let result = try TaskDistiller(teacher: teacher, student: student, objective: objective, cachedLogits: nil).loss(batch)
        let input = EncoderInput(batch)
        let (s, t) = withoutGrad { (student.encoder(input, options: .all).attentionScores, teacher.encoder(input, options: .all).attentionScores) }
        let expected = AttentionScoreMSE.loss(student: s[0], teacher: t[1]).item + AttentionScoreMSE.loss(student: s[1], teacher: t[3]).item
        #expect(expected.isFinite && expected > 1e-4, "the padding mask's scores are zeroed, not compared")
        #expect(abs(result.loss.item - expected) <= 1e-6 * expected)

        let fewerHeads = SequenceClassifier(config: { var c = Fixtures.tinyConfig(layers: 2); c.headCount = 2; return c }(),
                                            generator: RandomGenerator(seed: 1))
        #expect(throws: TaskDistillationError.incompatible(
            "attention scores compare heads one to one, but the student has 2 heads and the teacher 4")) {
            try TaskDistiller(teacher: teacher, student: fewerHeads, objective: objective, cachedLogits: nil)
        }
    }

    @Test func relationTermRecomputesTheLayersProjections() throws {
        let student = try StudentInitialization.makeStudent(from: teacher, teacherHasHead: true, options: StudentOptions()).model
        student.setTraining(false)
        // Student layer 0 is a copy of teacher layer 0 and sees the same input: no relation to learn.
        let copied = try SelfAttentionRelation(student: student, teacher: teacher, studentLayer: 0, teacherLayer: 0, relationHeads: 4)
        let distiller = try TaskDistiller(teacher: teacher, student: student, objective: DistillationObjective([.init(1, copied)]),
                                          cachedLogits: nil)
        #expect(abs(try distiller.loss(batch).loss.item) <= 1e-6)

        // Across widths (16 against 32): the term is MiniLMv2's loss on the projections of the two layers' inputs.
        let term = try SelfAttentionRelation(student: narrowStudent, teacher: teacher, studentLayer: 1, teacherLayer: 3, relationHeads: 4)
        let result = try TaskDistiller(teacher: teacher, student: narrowStudent, objective: DistillationObjective([.init(2, term)]),
                                       cachedLogits: nil).loss(batch)
        let input = EncoderInput(batch)
        let expected = withoutGrad { () -> Float in
            let s = narrowStudent.encoder(input, options: .all).hiddenStates[1], t = teacher.encoder(input, options: .all).hiddenStates[3]
            let studentProjections = narrowStudent.encoder.layers.items[1].selfAttentionProjections(s)
            let teacherProjections = teacher.encoder.layers.items[3].selfAttentionProjections(t)
            return SelfAttentionRelation.loss(student: studentProjections, teacher: teacherProjections,
                                              attentionMask: batch.attentionMask, relationHeads: 4).item
        }
        // Relative 5e-6 observed: the student's pass records gradients, so its GELU is not oneDNN's fused one.
        #expect(expected > 1e-4 && abs(result.loss.item - 2 * expected) <= 2e-5 * expected)
        #expect(abs(try #require(result.logged["relation"]) - Double(expected)) <= 1e-5 * Double(expected))

        #expect(throws: TaskDistillationError.badLayerMap(source: .term("relation"), reason: "the student has no layer 2")) {
            try SelfAttentionRelation(student: narrowStudent, teacher: teacher, studentLayer: 2, teacherLayer: 3, relationHeads: 4)
        }
        let threeHeads = try SelfAttentionRelation(student: narrowStudent, teacher: teacher, studentLayer: 1, teacherLayer: 3, relationHeads: 3)
        #expect(throws: TaskDistillationError.incompatible("3 relation heads do not divide the widths 16 and 32")) {
            try TaskDistiller(teacher: teacher, student: narrowStudent, objective: DistillationObjective([.init(1, threeHeads)]),
                              cachedLogits: nil)
        }
    }

    @Test func projectionComparesDifferentWidthsAndTrains() throws {
        #expect(try TaskDistiller.layerMap(requested: [1, 3], student: narrowStudent.config, teacher: teacher.config,
                                           studentConfigPath: "s/config.json", projected: true) == [1, 3])
        let term = HiddenStateMSE(teacherLayers: [1, 3], student: narrowStudent.config, teacher: teacher.config,
                                  generator: RandomGenerator(seed: 9))
        let projection = try #require(term.projection)
        #expect(projection.inputSize == 16 && projection.outputSize == 32)
        let objective = DistillationObjective([.init(1, SoftTargetKL(temperature: 2)), .init(0.5, term)])
        #expect(objective.trainableModules.map(\.name) == ["hidden_mse_projection"])
        let distiller = try TaskDistiller(teacher: teacher, student: narrowStudent, objective: objective, cachedLogits: nil)

        let input = EncoderInput(batch)
        let (s, t) = withoutGrad { (narrowStudent.encoder(input, options: .all).hiddenStates, teacher.encoder(input, options: .all).hiddenStates) }
        let expected = withoutGrad { projection(s[1]).meanSquaredError(t[2]).item + projection(s[2]).meanSquaredError(t[4]).item }
        let before = try distiller.loss(batch)
        // Gradient recording changes the student's GELU kernel (not fused), hence a relative bound.
        #expect(abs(try #require(before.logged["hidden_mse"]) - Double(expected)) <= 1e-5 * Double(expected))

        let parameters = narrowStudent.namedParameters() + projection.namedParameters().map { ("hidden_mse_projection." + $0.name, $0.tensor) }
        let optimizer = AdamW(groups: AdamW.bertGroups(parameters, weightDecay: 0, modules: [narrowStudent, projection]), learningRate: 1e-3)
        before.loss.backward()
        #expect(projection.weight.grad != nil, "the projection is trained")
        optimizer.update()
        #expect(try distiller.loss(batch).loss.item < before.loss.item)

        // Without the projection the widths must agree.
        #expect(throws: TaskDistillationError.widthMismatch(student: 16, teacher: 32)) {
            try TaskDistiller(teacher: teacher, student: narrowStudent,
                              objective: DistillationObjective([.init(1, HiddenStateCosine(teacherLayers: [1, 3]))]), cachedLogits: nil)
        }
    }

    @Test func runWithProjectionResumesExactly() throws {
        try StudentInitialization.createStudent(
            teacherDirectory: directory.path("teacher"), outputDirectory: directory.path("narrow"),
            options: StudentOptions(source: .random(RandomStudentShape(layerCount: 2, hiddenSize: 16, headCount: 4, intermediateSize: 32))))
        let rows = (0..<16).map { "good movie w\($0)\t\($0 % 3)" }
        try (["sentence\tlabel"] + rows).joined(separator: "\n").write(to: directory.path("train.tsv"), atomically: true, encoding: .utf8)
        func run(_ output: String) throws -> TaskDistillationRun {
            var request = TaskDistillationRequest(
                teacherDirectory: directory.path("teacher"), studentDirectory: directory.path("narrow"),
                trainPath: directory.path("train.tsv").path, devPath: nil, outputDirectory: directory.path(output))
            request.settings = TaskDistillationSettings(hiddenMSEWeight: 0.5)
            request.layerMap = [1, 3]
            request.training.epochs = 1
            request.training.batchSize = 4
            request.training.maxLength = 12
            request.training.learningRate = 1e-3
            return try TaskDistillationRun(request, progressOutput: ProgressOutput(isTerminal: false) { _ in })
        }
        func weights(_ run: TaskDistillationRun) -> [Float] {
            (run.student.namedParameters() + run.distiller.objective.trainableModules.flatMap { $0.module.namedParameters() })
                .flatMap(\.tensor.scalars)
        }
        let whole = try run("whole")
        #expect(whole.cacheOutcome == nil && whole.distiller.objective.trainableModules.count == 1)
        let initialProjection = weights(whole).suffix(32 * 16 + 32)
        #expect(try whole.train().steps == 4)
        #expect(weights(whole).suffix(32 * 16 + 32) != initialProjection, "the trainer updated the projection")

        #expect(try run("parts").train(stopAfterStep: 2).stoppedEarly)
        let resumed = try run("parts")
        #expect(try resumed.train(resume: true).steps == 4)
        #expect(weights(resumed) == weights(whole))
    }
}
