import ArgumentParser
import Evaluation
import Datasets
import Foundation
import Training

/// `distill finetune --task squad`: a question-answering head trained on SQuAD.
extension FinetuneCommand {
    func fineTuneSquad() throws {
        if labelNames != nil { throw CommandLineError("--label-names does not apply to --task squad") }
        if !session.metrics.isEmpty { throw CommandLineError("--metric does not apply to --task squad (it reports exact_match and f1)") }
        let configuration = training.configuration { $0.maxLength = SquadFeaturizer.defaultMaxLength }
        let outputURL = URL(fileURLWithPath: output)
        try session.checkNoStaleCheckpoint(in: outputURL)
        var request = FineTuningRequest(
            modelDirectory: URL(fileURLWithPath: model), trainPath: train, devPath: dev, outputDirectory: outputURL)
        request.training = configuration
        request.evaluationBatchSize = session.evalBatchSize
        let run: QuestionAnsweringFineTuningRun
        do {
            run = try QuestionAnsweringFineTuningRun(request, stopRequest: StopRequest.installingSignalHandlers())
        } catch let error as FineTuningError {
            throw Self.commandLineError(error)
        }
        let plan = run.trainer.plan
        printError("""
            fine-tuning \(run.model.config.modelType.rawValue) \(model) (\(run.model.parameterCount) parameters) for question answering on \(train): \
            \(run.questionCount) questions in \(run.windowCount) windows of up to \(configuration.maxLength) tokens
            \(plan.epochCount) epoch(s), \(plan.totalSteps) updates (\(plan.warmupSteps) warm-up) of \
            \(configuration.batchSize) x \(configuration.gradientAccumulation) windows, peak lr \(configuration.learningRate)\(configuration.precisionNote)
            """ + (run.freshParameters.isEmpty ? "" : "\nfresh weights: " + run.freshParameters.joined(separator: ", ")))
        try Self.finish(try run.train(resume: session.resume), metric: SquadScores.f1Name, checkpoint: run.trainer.checkpointDirectory, output: outputURL)
    }
}
