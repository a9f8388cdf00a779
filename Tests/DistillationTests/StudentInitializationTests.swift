import Distillation
import Foundation
import Models
import NN
import SafeTensors
import Tensors
import TestSupport
import Testing

/// `distill student`: layers, embeddings and head copied from a tiny random teacher saved to disk.
@Suite struct StudentInitializationTests {
    let directory: ScratchDirectory
    let teacher: SequenceClassifier
    var teacherURL: URL { directory.path("teacher") }

    init() throws {
        directory = try ScratchDirectory()
        teacher = try Fixtures.saveTeacher(to: directory.path("teacher"))
        teacher.setTraining(false)
    }

    private func student(_ options: StudentOptions, name: String = "student") throws -> (SequenceClassifier, StudentSummary) {
        let output = directory.path(name)
        let summary = try StudentInitialization.createStudent(teacherDirectory: teacherURL, outputDirectory: output, options: options)
        let (model, report) = try SequenceClassifier.load(from: output, strict: true)
        #expect(report.missing.isEmpty && report.unexpected.isEmpty)
        model.setTraining(false)
        return (model, summary)
    }

    private func expectEqual(_ a: Module, _ b: Module, _ what: String) {
        let (x, y) = (a.namedParameters(), b.namedParameters())
        #expect(x.count == y.count, "\(what): parameter count")
        for (p, q) in zip(x, y) {
            #expect(p.tensor.shape == q.tensor.shape && p.tensor.scalars == q.tensor.scalars, "\(what): \(p.name) vs \(q.name)")
        }
    }

    @Test func defaultLayerSelections() {
        #expect(StudentInitialization.defaultLayers(teacherLayerCount: 12) == [0, 2, 4, 7, 9, 11])
        #expect(StudentInitialization.defaultLayers(teacherLayerCount: 6) == [0, 2, 4])
        #expect(StudentInitialization.defaultLayers(teacherLayerCount: 4) == [0, 2])
        #expect(StudentInitialization.defaultLayers(teacherLayerCount: 7) == [0, 2, 4, 6])
        #expect(StudentInitialization.defaultLayers(teacherLayerCount: 2) == [0])
        #expect(StudentInitialization.defaultLayers(teacherLayerCount: 1) == [0])
    }

    @Test func selectedLayersEmbeddingsAndHeadAreCopied() throws {
        let (student, summary) = try student(StudentOptions(source: .teacherLayers([1, 3])))
        #expect(student.config.layerCount == 2)
        #expect(student.config.distillTeacherLayers == [1, 3])
        #expect(student.config.id2label == teacher.config.id2label)
        #expect(summary.head == .copiedFromTeacher)
        #expect(summary.tokenizerFiles == ["vocab.txt"])
        #expect(FileManager.default.contentsEqual(atPath: teacherURL.appendingPathComponent("vocab.txt").path,
                                                  andPath: directory.path("student/vocab.txt").path))
        for (i, layer) in [1, 3].enumerated() {
            expectEqual(teacher.encoder.layers.items[layer], student.encoder.layers.items[i], "layer \(i) <- \(layer)")
        }
        expectEqual(teacher.encoder.embeddings, student.encoder.embeddings, "embeddings")
        expectEqual(try #require(teacher.encoder.pooler), try #require(student.encoder.pooler), "pooler")
        expectEqual(teacher.classifier, student.classifier, "classifier")
        #expect(summary.studentParameterCount == teacher.parameterCount - 2 * teacher.encoder.layers.items[0].parameterCount)
        #expect(summary.studentCheckpointBytes < summary.teacherCheckpointBytes)
    }

    @Test func allLayersGiveTheTeachersLogits() throws {
        let (student, _) = try student(StudentOptions(source: .teacherLayers([0, 1, 2, 3])))
        let input = Fixtures.randomInput(typeIds: true)
        let expected = withoutGrad { teacher(input).logits }
        #expect(maxAbsDifference(withoutGrad { student(input).logits }, expected) == 0)
    }

    @Test func distilBertLayoutFoldsTypeZeroIntoPositions() throws {
        let (student, summary) = try student(StudentOptions(source: .teacherLayers([0, 1, 2, 3]), format: .distilbert, allowNewHead: true))
        #expect(student.config.modelType == .distilbert)
        #expect(student.encoder.embeddings.tokenTypes == nil && student.encoder.pooler == nil)
        #expect(summary.foldedTokenTypeEmbedding)
        #expect(summary.head == .newLayoutChanged(teacher: .bert, student: .distilbert))
        #expect(student.namedParameters().contains { $0.name == "distilbert.transformer.layer.3.attention.q_lin.weight" })

        let input = Fixtures.randomInput()
        let (teacherHidden, studentHidden) = withoutGrad { (teacher.encoder(input).lastHidden, student.encoder(input).lastHidden) }
        #expect(maxAbsDifference(teacherHidden, studentHidden) <= 1e-5)
        // The fold is exact for type 0 only: a second segment changes the teacher and not the student.
        let pairs = Fixtures.randomInput(typeIds: true)
        #expect(maxAbsDifference(withoutGrad { teacher.encoder(pairs).lastHidden }, withoutGrad { student.encoder(pairs).lastHidden }) > 1e-3)
    }

    @Test func distilBertLayoutRefusesToDropATrainedHeadSilently() throws {
        #expect(throws: StudentInitializationError.headNotTransferable(head: "classification", teacher: .bert, student: .distilbert)) {
            try StudentInitialization.createStudent(
                teacherDirectory: teacherURL, outputDirectory: directory.path("refused"), options: StudentOptions(format: .distilbert))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("refused").path))
    }

    @Test func distilBertTeacherToBertLayoutIsExactWithZeroTypeEmbeddings() throws {
        let distilTeacherURL = directory.path("distil-teacher")
        let distilTeacher = try Fixtures.saveTeacher(Fixtures.tinyConfig(.distilbert, layers: 2), to: distilTeacherURL)
        distilTeacher.setTraining(false)
        let output = directory.path("bert-student")
        let summary = try StudentInitialization.createStudent(
            teacherDirectory: distilTeacherURL, outputDirectory: output,
            options: StudentOptions(source: .teacherLayers([0, 1]), format: .bert, allowNewHead: true))
        #expect(summary.head == .newLayoutChanged(teacher: .distilbert, student: .bert))
        let (student, _) = try SequenceClassifier.load(from: output, strict: true)
        student.setTraining(false)
        let input = Fixtures.randomInput(typeIds: true)
        let (expected, actual) = withoutGrad { (distilTeacher.encoder(input).lastHidden, student.encoder(input).lastHidden) }
        #expect(maxAbsDifference(expected, actual) == 0)
    }

    @Test func questionAnsweringTeacherGivesAQuestionAnsweringStudentInEitherLayout() throws {
        let qaURL = directory.path("qa-teacher")
        let qaTeacher = try Fixtures.saveTeacher(QuestionAnswering.self, Fixtures.tinyConfig(labels: 2), to: qaURL)
        qaTeacher.setTraining(false)
        let input = Fixtures.randomInput()
        let expected = withoutGrad { qaTeacher(input) }
        for format in [ModelType.bert, .distilbert] {
            let output = directory.path("qa-\(format)")
            let summary = try StudentInitialization.createStudent(
                teacherDirectory: qaURL, outputDirectory: output, options: StudentOptions(source: .teacherLayers([0, 1, 2, 3]), format: format))
            #expect(summary.head == .copiedFromTeacher, "qa_outputs reads the last hidden state in every layout")
            let (student, report) = try QuestionAnswering.load(from: output, strict: true)
            #expect(report.missing.isEmpty && report.unexpected.isEmpty)
            #expect(student.config.architectures == [format.className("ForQuestionAnswering")])
            student.setTraining(false)
            let actual = withoutGrad { student(input) }
            // The BERT layout computes exactly the teacher's function; the DistilBERT one sums the folded type-0
            // embedding in another order: 1.0e-6 observed on logits up to 4.3 (a few ulps).
            let tolerance: Float = format == .bert ? 0 : 5e-6
            #expect(maxAbsDifference(actual.start, expected.start) <= tolerance, "\(format)")
            #expect(maxAbsDifference(actual.end, expected.end) <= tolerance, "\(format)")
        }
    }

    @Test func maskedLanguageModelTeacherGivesATiedMaskedLanguageModelStudent() throws {
        let mlmURL = directory.path("mlm-teacher")
        let mlmTeacher = try Fixtures.saveTeacher(MaskedLanguageModel.self, to: mlmURL)
        mlmTeacher.setTraining(false)
        let summary = try StudentInitialization.createStudent(
            teacherDirectory: mlmURL, outputDirectory: directory.path("mlm"), options: StudentOptions(source: .teacherLayers([0, 1, 2, 3])))
        #expect(summary.head == .copiedFromTeacher)
        let (student, report) = try MaskedLanguageModel.load(from: directory.path("mlm"), strict: true)
        #expect(report.missing.isEmpty && report.unexpected.isEmpty)
        student.setTraining(false)
        let input = Fixtures.randomInput()
        #expect(maxAbsDifference(withoutGrad { student(input).logits }, withoutGrad { mlmTeacher(input).logits }) == 0)
        // Tied: the decoder is the word embedding matrix itself, stored once (under the embedding's name).
        #expect(student.parameter(named: "cls.predictions.decoder.weight") === student.encoder.embeddings.words.weight)
        #expect(!(try SafeTensorsFile(url: directory.path("mlm/model.safetensors")).names.contains("cls.predictions.decoder.weight")))
    }

    /// BERT's `cls.predictions` and DistilBERT's `vocab_transform` / `vocab_layer_norm` / `vocab_projector` are the
    /// same function: a student in the other layout with all layers gives the teacher's masked-LM logits.
    @Test(arguments: [(ModelType.bert, ModelType.distilbert, "vocab_projector.weight"),
                      (.distilbert, .bert, "cls.predictions.decoder.weight")])
    func theMaskedLanguageModelHeadCarriesAcrossLayouts(teacherType: ModelType, studentType: ModelType, decoder: String) throws {
        let teacherURL = directory.path("mlm-\(teacherType)")
        let teacher = try Fixtures.saveTeacher(MaskedLanguageModel.self, Fixtures.tinyConfig(teacherType), to: teacherURL)
        teacher.setTraining(false)
        let output = directory.path("mlm-\(studentType)-student")
        let summary = try StudentInitialization.createStudent(
            teacherDirectory: teacherURL, outputDirectory: output,
            options: StudentOptions(source: .teacherLayers([0, 1, 2, 3]), format: studentType))
        #expect(summary.head == .copiedFromTeacher)
        let (student, report) = try MaskedLanguageModel.load(from: output, strict: true)
        #expect(report.missing.isEmpty && report.unexpected.isEmpty, "\(report)")
        #expect(student.config.modelType == studentType && student.activation == teacher.activation)
        #expect(student.config.architectures == [studentType.className("ForMaskedLM")])
        student.setTraining(false)
        let input = Fixtures.randomInput()
        // Single-segment input: exact up to the order of the folded type-0 embedding's sum (BERT to DistilBERT:
        // 9e-8 observed; the other way 0).
        let difference = maxAbsDifference(withoutGrad { student(input).logits }, withoutGrad { teacher(input).logits })
        #expect(difference <= 1e-6, "\(difference)")
        #expect(student.parameter(named: decoder) === student.encoder.embeddings.words.weight)
    }

    @Test func defaultSelectionIsUsedAndRecorded() throws {
        let (student, summary) = try student(StudentOptions())
        #expect(summary.teacherLayers == [0, 2])
        #expect(student.config.distillTeacherLayers == [0, 2])
        expectEqual(teacher.encoder.layers.items[2], student.encoder.layers.items[1], "layer 1 <- 2")
    }

    @Test func randomStudentHasTheRequestedShape() throws {
        let shape = RandomStudentShape(layerCount: 3, hiddenSize: 16, headCount: 2, intermediateSize: 24)
        let (student, summary) = try student(StudentOptions(source: .random(shape), seed: 5))
        #expect(summary.head == .random && summary.teacherLayers == nil)
        let config = student.config
        #expect([config.layerCount, config.hiddenSize, config.headCount, config.intermediateSize] == [Int]([3, 16, 2, 24]))
        #expect(config.vocabSize == teacher.config.vocabSize && config.id2label == teacher.config.id2label)
        #expect(config.distillTeacherLayers == nil)
        #expect(throws: StudentInitializationError.headCountDoesNotDivideWidth(headCount: 5, hiddenSize: 16)) {
            try StudentInitialization.makeStudent(
                from: teacher, teacherHasHead: true, options: StudentOptions(source: .random(RandomStudentShape(hiddenSize: 16, headCount: 5))))
        }
    }

    @Test(arguments: [
        ([0, 4], StudentInitializationError.layerSelection(.outOfRange(layer: 4, teacherLayerCount: 4))),
        ([-1], .layerSelection(.outOfRange(layer: -1, teacherLayerCount: 4))),
        ([1, 1], .layerSelection(.duplicate(1))),
        ([2, 0], .layerSelection(.notAscending([2, 0]))),
        ([], .layerSelection(.empty)),
    ])
    func badLayerSelectionsAreTypedErrors(layers: [Int], error: StudentInitializationError) throws {
        #expect(throws: error) {
            try StudentInitialization.makeStudent(from: teacher, teacherHasHead: true, options: StudentOptions(source: .teacherLayers(layers)))
        }
        // The library speaks of the selection; `distill student` names its option (CommandLineTests).
        #expect(error.description.hasPrefix("teacher layer selection: "))
    }

    @Test func outputMustDifferFromTheTeacher() throws {
        #expect(throws: StudentInitializationError.outputIsTeacherDirectory(path: teacherURL.path)) {
            try StudentInitialization.createStudent(teacherDirectory: teacherURL, outputDirectory: teacherURL, options: StudentOptions())
        }
    }
}
