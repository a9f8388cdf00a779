import ArgumentParser
import Datasets
import Distillation
import Evaluation
import Foundation
import Training

/// `distill task --task squad`: the SQuAD distillation of the notebook.
extension TaskCommand {
    func distillSquad() throws {
        if !session.metrics.isEmpty { throw CommandLineError("--metric does not apply to --task squad (it reports exact_match and f1)") }
        let outputURL = URL(fileURLWithPath: output)
        try session.checkNoStaleCheckpoint(in: outputURL)
        var request = self.request(output: outputURL)
        if training.maxLength == nil { request.training.maxLength = SquadFeaturizer.defaultMaxLength }
        let run: QuestionAnsweringDistillationRun
        do {
            run = try QuestionAnsweringDistillationRun(request, stopRequest: StopRequest.installingSignalHandlers(), log: printError)
        } catch let error as TaskDistillationError {
            throw Self.commandLineError(error)
        }
        describe(
            teacher: run.teacher, student: run.student, studentPath: student, objective: request.objective,
            terms: run.distiller.objective.terms, settings: request.settings, data: "\(run.questionCount) questions in \(run.trainingWindows.count) windows",
            cached: run.cacheOutcome != nil, plan: run.trainer.plan, configuration: request.training, unit: "windows",
            teacherScores: run.teacherDevScores.map { String(format: "exact_match %.2f, f1 %.2f", $0.exactMatch, $0.f1) },
            fresh: run.freshStudentParameters)
        try Self.finish(
            try run.train(resume: session.resume), metric: SquadScores.f1Name, teacherValue: run.teacherDevScores?.f1,
            checkpoint: run.trainer.checkpointDirectory, output: outputURL)
    }
}
