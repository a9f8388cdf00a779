import Datasets
import Distillation
import Foundation
import Models
import Tensors
import TestSupport
import Testing
import Training

/// `distill task`'s objectives beyond Hinton's (TinyBERT's two task stages) and training rows without labels.
@Suite struct TaskObjectiveTests {
    let directory: ScratchDirectory

    init() throws {
        directory = try ScratchDirectory()
        try Fixtures.saveTeacher(to: directory.path("teacher"))
        try StudentInitialization.createStudent(
            teacherDirectory: directory.path("teacher"), outputDirectory: directory.path("student"),
            options: StudentOptions(source: .random(RandomStudentShape(layerCount: 2, hiddenSize: 16, headCount: 4, intermediateSize: 32))))
        let words = ["good movie", "bad film", "the plot was not fun", "great acting", "awful", "a very fun film"]
        // Every third row is unlabelled, as `distill augment` writes its variants.
        let rows = (0..<24).map { i in "\(words[i % words.count]) w\(i)\t\(i % 3 == 0 ? "" : String(i % 3))\t" }
        try (["sentence\tlabel\taugmented_from"] + rows).joined(separator: "\n")
            .write(to: directory.path("train.tsv"), atomically: true, encoding: .utf8)
        try (["sentence\tlabel"] + (0..<6).map { "\(words[$0]) w\($0)\t\($0 % 3)" }).joined(separator: "\n")
            .write(to: directory.path("dev.tsv"), atomically: true, encoding: .utf8)
        try (["sentence"] + (0..<8).map { "\(words[$0 % 6]) t\($0)" }).joined(separator: "\n")
            .write(to: directory.path("transfer.tsv"), atomically: true, encoding: .utf8)
    }

    private func request(output: String, objective: any TaskObjective) -> TaskDistillationRequest {
        var request = TaskDistillationRequest(
            teacherDirectory: directory.path("teacher"), studentDirectory: directory.path("student"),
            trainPath: directory.path("train.tsv").path, devPath: directory.path("dev.tsv").path,
            outputDirectory: directory.path(output))
        request.objective = objective
        objective.applyRecipe(to: &request.training)
        objective.applyRecipe(to: &request.settings)
        request.training.epochs = 1
        request.training.batchSize = 8
        request.training.maxLength = 16
        request.cacheDirectory = directory.path("cache")
        return request
    }

    private static let quiet = ProgressOutput(isTerminal: false) { _ in }

    @Test func unlabelledAndTransferRowsLearnFromTheTeacherAlone() throws {
        var request = request(output: "hinton", objective: HintonTaskObjective())
        request.transferPath = directory.path("transfer.tsv").path
        let run = try TaskDistillationRun(request, progressOutput: Self.quiet)
        #expect(run.trainingExamples.count == 32 && run.unlabelledCount == 8 + 8)
        #expect(run.trainingExamples.map(\.index) == Array(0..<32), "transfer rows follow the training rows")
        #expect(run.distiller.cachedLogits != nil, "the teacher's logits on unlabelled rows are cached with the others")

        // Rows 0 and 3 are unlabelled: the label term averages over rows 1 and 2 alone; an unlabelled batch has none.
        let batcher = try Batcher(examples: run.trainingExamples, batchSize: 4, padId: 0, maxLength: 16)
        let mixed = batcher.batch(positions: [0, 1, 2, 3])
        run.student.setTraining(false)
        let loss = try run.distiller.loss(mixed)
        let logits = withoutGrad { run.student(EncoderInput(mixed)).logits }
        let labelled = withoutGrad { logits.crossEntropy(targets: [-100, 1, 2, -100]) }
        #expect(abs(try #require(loss.logged["hard"]) - Double(labelled.item)) < 1e-6)
        let unlabelled = try run.distiller.loss(batcher.batch(positions: [0, 3, 24, 25]))
        #expect(unlabelled.logged["hard"] == 0 && (unlabelled.logged["kd"] ?? 0) > 0)
        #expect(try run.train().bestMetric != nil)
    }

    @Test func intermediateStageTrainsTheEncoderAloneAndKeepsTheLastStudent() throws {
        let run = try TaskDistillationRun(request(output: "intermediate", objective: TinyBERTIntermediateObjective()), progressOutput: Self.quiet)
        #expect(run.distiller.objective.terms.map(\.term.name) == ["attention", "hidden_mse"])
        #expect(run.cacheOutcome == nil, "the teacher's attention and hidden states are needed at every step")
        #expect(run.trainer.plan.learningRate(atStep: 0) == 5e-5 && run.trainer.plan.learningRate(atStep: 2) == 5e-5, "constant")
        let query = "bert.encoder.layer.0.attention.self.query.weight"
        let (classifierBefore, queryBefore) = (try #require(run.student.parameter(named: "classifier.weight")).scalars,
                                               try #require(run.student.parameter(named: query)).scalars)
        let summary = try run.train()
        #expect(summary.bestMetric == nil && summary.lastEvaluation == nil, "an untrained classifier is not scored")
        #expect(run.distiller.teacherForwardPasses == 3)
        let exported = try SequenceClassifier.load(from: directory.path("intermediate"), strict: true).model
        #expect(exported.parameter(named: "classifier.weight")?.scalars == classifierBefore, "no term reaches the classifier")
        #expect(exported.parameter(named: query)?.scalars != queryBefore)
    }

    @Test func predictionStageIsTheSoftCrossEntropyAtTemperatureOne() throws {
        let run = try TaskDistillationRun(request(output: "prediction", objective: TinyBERTPredictionObjective()), progressOutput: Self.quiet)
        let term = try #require(run.distiller.objective.terms.first?.term as? SoftCrossEntropy)
        #expect(run.distiller.objective.terms.count == 1 && term.temperature == 1)
        #expect(run.trainer.plan.peakLearningRate == 3e-5 && run.trainer.plan.warmupSteps == 1)
        #expect(run.distiller.cachedLogits != nil)
        #expect(try run.train().bestMetric != nil, "the best student on dev is kept")
    }
}
