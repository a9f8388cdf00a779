import Datasets
import Foundation
import NN
import Tensors

/// Trains modules by minimising a loss over batches of tokenized examples, with AdamW, a linear warm-up and
/// decay, gradient accumulation and clipping, periodic evaluation that keeps the best model, and checkpoints
/// that resume to the very same weights.
///
/// The objective is a closure, so one loop serves fine-tuning (cross-entropy on the labels) and task-specific
/// distillation (a teacher's logits and a KD loss computed inside the closure):
///
/// ```swift
/// let generator = RandomGenerator(seed: configuration.seed)
/// let model = SequenceClassifier(config: config, generator: generator)   // dropout draws from `generator`
/// let trainer = try Trainer(
///     configuration: configuration, modules: [("", model)], generator: generator,
///     trainingExamples: train, padId: tokenizer.padId, outputDirectory: output,   // or batches: any BatchSource
///     loss: { batch in
///         TrainingLoss(try SupervisedLoss.of(logits: model(EncoderInput(batch)).logits, batch: batch))
///     },
///     evaluation: Trainer.Evaluation(metricForBestModel: "accuracy") { try evaluator.evaluate(model).values },
///     exportModel: Trainer.export(model, tokenizer: tokenizer))
/// let summary = try trainer.train(resume: false)
/// ```
///
/// **An update.** The trainer zeroes the gradients of the trained parameters, then for each of up to
/// `gradientAccumulation` micro-batches of the epoch's plan calls `loss(batch)` and back-propagates the loss
/// scaled by 1/(micro-batches in the update); it clips the global gradient norm to `maxGradNorm`, sets the
/// learning rate of ``TrainingPlan/learningRate(atStep:)`` and makes one AdamW step (β₁ 0.9, the configured β₂ and ε, weight
/// decay on all but biases and LayerNorm weights). Trained modules are in training mode (dropout on) during
/// updates; other modules the closure uses (a teacher) are left as the caller set them.
///
/// **Evaluation.** At the end of each epoch, or every `evaluateEvery` updates, and after the last update, the
/// trained modules are put in evaluation mode and `evaluation.evaluate` runs without gradient recording. When its
/// `metricForBestModel` improves, `exportModel(outputDirectory)` writes the model there, so at the end the output
/// directory holds the best model. Without an evaluation the model is exported once, after the last update.
///
/// **Output directory.** Besides the exported model: `metrics.jsonl` (``MetricsLog``; `split` "train" lines with
/// `loss` (the global batch's), `learning_rate`, `grad_norm`, the closure's `logged` values (process 0's share
/// of the batch) and, with several processes, `allreduce_seconds`: per update, the seconds spent communicating
/// gradients outside the backward pass they overlap, "eval" lines with the evaluation's
/// values) and `checkpoint/` (see ``train(resume:stopAfterStep:)``).
///
/// **Data.** Micro-batches come from a ``BatchSource``, epoch by epoch: from examples in memory, in the order of
/// ``Batcher/plan(order:seed:epoch:)`` with the configured seed; from a stream (``StreamedBatches``), with its
/// position kept in the checkpoint.
///
/// **Several processes.** Under a ``ProcessGroup`` of N processes (`mpirun`; see ``ProcessGroups/world``)
/// `configuration.batchSize` is per process: the batch source yields global batches of N × `batchSize`
/// examples, in the order one process with that batch would take them, and each process computes the loss on
/// its ``BatchShare``, each of the loss's terms weighted by the share's part of what the term is a mean over
/// (``LossNormalizer``: rows, real tokens, masked tokens), so that the sum is the global batch's loss. The
/// gradients are summed over the processes (``GradientAllReduce``, during the update's last backward pass unless
/// `configuration.overlapsCommunication` is off) before clipping, so every process makes the same update; only
/// process 0 evaluates and writes the model, metrics, progress and checkpoints. Every process reads the checkpoint
/// when resuming, so the output directory must be visible to all (a shared file system); a run resumes with any
/// number of processes that keeps the global batch.
///
/// **Randomness.** Dropout (and any collator drawing from it) uses the `generator` the caller built the trained
/// modules with. Its state when the trainer is created and its current state are checkpointed; a resumed run
/// must build its modules the same way (same seed, same code), which is checked, and the state is then restored
/// in place.
public final class Trainer {
    /// How the trainer evaluates the model and picks the best one.
    public struct Evaluation {
        /// The key of `evaluate`'s result that decides which model is best (Hugging Face's
        /// `metric_for_best_model`).
        public var metricForBestModel: String
        /// Whether larger values of that metric are better (accuracy, F1, correlations) or smaller (a loss).
        public var greaterIsBetter: Bool
        /// Computes the evaluation values (metrics and, usually, `loss`); called with the trained modules in
        /// evaluation mode and gradient recording off.
        public var evaluate: () throws -> [String: Double]

        public init(
            metricForBestModel: String, greaterIsBetter: Bool = true, evaluate: @escaping () throws -> [String: Double]
        ) {
            self.metricForBestModel = metricForBestModel
            self.greaterIsBetter = greaterIsBetter
            self.evaluate = evaluate
        }
    }

    /// The hyperparameters.
    public let configuration: TrainingConfiguration
    /// The number of updates and the learning-rate schedule.
    public let plan: TrainingPlan
    /// Where the model, the metrics log and the checkpoint go.
    public let outputDirectory: URL
    /// The trained parameters under their checkpoint names (`<module name>.<parameter name>`), frozen ones
    /// left out, each tensor once.
    public let parameters: [(name: String, tensor: Tensor)]
    /// The optimizer (its moments and step count are part of the checkpoint).
    public let optimizer: AdamW

    private let modules: [(name: String, module: Module)]
    private let batches: any BatchSource
    private let generator: RandomGenerator?
    /// The generator's state when the trainer was created (after the modules drew their initial weights).
    private let generatorStartState: [UInt64]?
    private let loss: (Batch) throws -> TrainingLoss
    private let evaluation: Evaluation?
    private let exportModel: (URL) throws -> Void
    private let progressOutput: ProgressOutput
    private let stopRequest: StopRequest?
    private let checkpointFolder: CheckpointFolder
    private let processGroup: any ProcessGroup

    /// Prepares a run; nothing is trained or written until ``train(resume:stopAfterStep:)``.
    ///
    /// - Parameters:
    ///   - modules: The modules whose parameters are trained, each under a name that prefixes its parameter names
    ///     in the checkpoint (use "" for the main model, and distinct names for extra modules such as a
    ///     projection). Parameters with `requiresGrad == false` (frozen) are not trained. Their matmul precision
    ///     is set to the configuration's (for their evaluation too); other modules keep theirs.
    ///   - generator: The generator the modules draw dropout from (the one they were built with), or `nil` if
    ///     they draw nothing while training.
    ///   - batches: The training micro-batches, of `configuration.batchSize` × `processGroup.size` examples each.
    ///   - loss: The objective for one micro-batch (see ``TrainingLoss``).
    ///   - evaluation: How to evaluate and pick the best model; `nil` to train without evaluating.
    ///   - exportModel: Writes the deliverable model into the given directory (for example `model.save(to:)`
    ///     and `tokenizer.save(to:)`).
    ///   - progressOutput: Where the progress bar and messages go.
    ///   - stopRequest: Checked between updates; when set, the run writes a checkpoint and returns.
    ///   - processGroup: The processes that train the model together (one, unless started by `mpirun`).
    public init(
        configuration: TrainingConfiguration, modules: [(name: String, module: Module)], generator: RandomGenerator?,
        batches: any BatchSource, outputDirectory: URL,
        loss: @escaping (Batch) throws -> TrainingLoss, evaluation: Evaluation?,
        exportModel: @escaping (URL) throws -> Void, progressOutput: ProgressOutput = .standardError,
        stopRequest: StopRequest? = nil, processGroup: any ProcessGroup = ProcessGroups.world
    ) throws {
        try configuration.validate()
        guard !modules.contains(where: { $0.module.isQuantized }) else { throw TrainingError.quantizedModel }
        guard batches.exampleCount > 0, batches.batchesPerEpoch > 0 else { throw TrainingError.noTrainingExamples }
        self.configuration = configuration
        for (_, module) in modules { module.setMatmulPrecision(configuration.matmulPrecision) }
        plan = TrainingPlan(configuration: configuration, batchesPerEpoch: batches.batchesPerEpoch)
        self.outputDirectory = outputDirectory
        self.modules = modules
        var seen = Set<ObjectIdentifier>()
        parameters = modules.flatMap { name, module in
            module.trainableParameters().compactMap { parameter -> (name: String, tensor: Tensor)? in
                guard seen.insert(ObjectIdentifier(parameter.tensor)).inserted else { return nil }
                return (name.isEmpty ? parameter.name : "\(name).\(parameter.name)", parameter.tensor)
            }
        }
        optimizer = AdamW(
            groups: AdamW.bertGroups(parameters, weightDecay: configuration.weightDecay, modules: modules.map(\.module)),
            learningRate: configuration.learningRate, beta2: configuration.adamBeta2, eps: configuration.adamEpsilon)
        self.batches = batches
        self.generator = generator
        generatorStartState = generator?.state
        self.loss = loss
        self.evaluation = evaluation
        self.exportModel = exportModel
        self.progressOutput = processGroup.isLeader ? progressOutput : ProgressOutput(isTerminal: false) { _ in }
        self.stopRequest = stopRequest
        self.processGroup = processGroup
        checkpointFolder = CheckpointFolder(outputDirectory: outputDirectory)
    }

    /// A run over tokenized, labelled examples in memory (each at most `configuration.maxLength` tokens long),
    /// padded with `padId`, in the order of ``TrainingConfiguration/groupByLength`` and the configured seed.
    public convenience init(
        configuration: TrainingConfiguration, modules: [(name: String, module: Module)], generator: RandomGenerator?,
        trainingExamples: [TokenizedExample], padId: Int32, outputDirectory: URL,
        loss: @escaping (Batch) throws -> TrainingLoss, evaluation: Evaluation?,
        exportModel: @escaping (URL) throws -> Void, progressOutput: ProgressOutput = .standardError,
        stopRequest: StopRequest? = nil, processGroup: any ProcessGroup = ProcessGroups.world
    ) throws {
        try configuration.validate()
        let batcher = try Batcher(
            examples: trainingExamples, batchSize: configuration.batchSize * processGroup.size, padId: padId,
            maxLength: configuration.maxLength)
        try self.init(
            configuration: configuration, modules: modules, generator: generator,
            batches: PlannedBatches(
                batcher: batcher, order: configuration.groupByLength ? .groupedByLength() : .shuffled,
                seed: configuration.seed),
            outputDirectory: outputDirectory, loss: loss, evaluation: evaluation, exportModel: exportModel,
            progressOutput: progressOutput, stopRequest: stopRequest, processGroup: processGroup)
    }

    /// Where checkpoints are written: `<output>/checkpoint`.
    public var checkpointDirectory: URL { checkpointFolder.directory }

    /// Whether `outputDirectory` holds a complete checkpoint to resume from.
    public static func hasCheckpoint(in outputDirectory: URL) -> Bool {
        CheckpointFolder(outputDirectory: outputDirectory).current != nil
    }

    /// Trains to the end of the plan, or until a stop is requested.
    ///
    /// A checkpoint is written every `saveEvery` updates and when the run stops early, and removed when the run
    /// completes (the output directory then holds the model and `metrics.jsonl`). It holds the trained
    /// parameters (`parameters.safetensors`), AdamW's moments (`optimizer.safetensors`, `exp_avg.<name>` and
    /// `exp_avg_sq.<name>`) and `state.json`: update count, data position (epoch and micro-batch within the
    /// epoch's plan, and the batch source's saved state if it has one), best metric, the random generator's state
    /// and the settings that shape the run. It replaces the previous one atomically (see `checkpoint.tmp` /
    /// `checkpoint.old`).
    ///
    /// - Parameters:
    ///   - resume: Continue from the checkpoint in the output directory. The modules must have been built as
    ///     for the original run; the trained parameters, optimizer, data position and random stream are then
    ///     restored, so the run ends with the weights an uninterrupted run would have. Without `resume` the run
    ///     starts afresh, deleting any checkpoint and metrics log in the output directory.
    ///   - stopAfterStep: Stop (with a checkpoint) once this many updates are made, as if a stop had been
    ///     requested then (at once if a resumed run is already past it).
    public func train(resume: Bool = false, stopAfterStep: Int? = nil) throws -> TrainingSummary {
        var progress: TrainingProgress
        let isLeader = processGroup.isLeader
        if resume {
            progress = try restoreCheckpoint()
            if isLeader { try MetricsLog.discardEntries(after: progress.step, in: outputDirectory) }
        } else {
            progress = TrainingProgress()
            if isLeader {
                checkpointFolder.removeAll()
                try MetricsLog.discardEntries(after: nil, in: outputDirectory)
            }
        }
        try synchronizeParameters()
        var run = Run(
            log: isLeader ? try MetricsLog(directory: outputDirectory) : nil,
            reporter: ProgressReporter(
                configuration: .init(totalSteps: plan.totalSteps, totalEpochs: plan.epochCount, startStep: progress.step),
                output: progressOutput))
        defer { run.reporter.finish() }

        let batchesPerEpoch = batches.batchesPerEpoch
        try batches.seek(epoch: progress.epoch, batchIndex: progress.batchIndex)
        setTraining(true)
        while progress.step < plan.totalSteps {
            if try processGroup.any(stopRequest?.isRequested == true) || stopAfterStep.map({ progress.step >= $0 }) == true {
                if isLeader { try saveCheckpoint(progress) }
                _ = try processGroup.any(false)  // the others wait until the checkpoint is written
                run.reporter.message("stopped after update \(progress.step); checkpoint in \(checkpointDirectory.path)")
                return run.summary(progress, plan: plan, stoppedEarly: true)
            }
            let epoch = progress.epoch
            let groupEnd = min(progress.batchIndex + configuration.gradientAccumulation, batchesPerEpoch)
            let update = try makeUpdate(microBatches: groupEnd - progress.batchIndex, progress: progress)
            progress.step += 1
            progress.batchIndex = groupEnd
            let epochProgress = Double(epoch) + Double(groupEnd) / Double(batchesPerEpoch)
            let endOfEpoch = groupEnd == batchesPerEpoch
            if endOfEpoch {
                progress.epoch += 1
                progress.batchIndex = 0
                if progress.step < plan.totalSteps { try batches.seek(epoch: progress.epoch, batchIndex: 0) }
            }

            run.record(update)
            run.reporter.update(
                step: progress.step, epoch: epoch + 1, loss: update.loss, learningRate: Double(update.learningRate),
                tokens: update.tokens)
            let isLast = progress.step == plan.totalSteps
            if progress.step % configuration.logEvery == 0 || isLast {
                try run.logTraining(step: progress.step, epoch: epochProgress)
            }
            let evaluationDue = configuration.evaluateEvery.map { progress.step % $0 == 0 } ?? endOfEpoch
            if let evaluation, isLeader, evaluationDue || isLast {
                try evaluate(evaluation, progress: &progress, epoch: epochProgress, run: &run)
            }
            if let saveEvery = configuration.saveEvery, progress.step % saveEvery == 0, isLeader {
                try saveCheckpoint(progress)
            }
        }
        if isLeader {
            if evaluation == nil { try exportModel(outputDirectory) }
            checkpointFolder.removeAll()  // the run is complete: nothing left to resume
        }
        return run.summary(progress, plan: plan, stoppedEarly: false)
    }

    // MARK: - One update

    /// What one update did.
    struct Update {
        /// The mean of its micro-batch losses.
        var loss: Double
        var learningRate: Float
        /// The global gradient norm before clipping.
        var gradientNorm: Double
        /// Real tokens processed.
        var tokens: Int
        /// The closure's logged values per micro-batch.
        var logged: [[String: Double]]
        /// Seconds spent summing gradients over the processes outside the backward pass (`nil` in a single process).
        var communicationSeconds: Double?
    }

    /// Gives every process the last process's generator state: its four words travel as 16-bit pieces, which
    /// a float sum (the others adding zeros) carries exactly.
    private func synchronize(_ generator: RandomGenerator) throws(ProcessGroupError) {
        let isLast = processGroup.rank == processGroup.size - 1
        var pieces = generator.state.flatMap { word in (0..<4).map { Float(isLast ? (word >> (16 * $0)) & 0xFFFF : 0) } }
        try pieces.withUnsafeMutableBufferPointer { buffer throws(ProcessGroupError) in try processGroup.allReduceSum(buffer) }
        let state = (0..<4).map { word in (0..<4).reduce(UInt64(0)) { $0 | UInt64(pieces[4 * word + $1]) << (16 * $1) } }
        _ = generator.restore(state: state)
    }

    /// One update on the next `microBatches` batches of the source, the first being batch `progress.batchIndex`
    /// of epoch `progress.epoch`. In a group of processes, each takes its share of every batch and the gradients,
    /// loss and token count are summed over the group before the step.
    private func makeUpdate(microBatches: Int, progress: TrainingProgress) throws -> Update {
        for (_, tensor) in parameters { tensor.zeroGrad() }
        let scale = 1 / Float(microBatches)
        var lossSum = 0.0, tokens = 0
        var logged: [[String: Double]] = []
        var someShareWasEmpty = false
        var lastLoss: Tensor?
        for offset in 0..<microBatches {
            guard let global = try batches.nextBatch() else {
                throw TrainingError.batchSourceEnded(
                    epoch: progress.epoch, batchIndex: progress.batchIndex + offset, batchesPerEpoch: batches.batchesPerEpoch)
            }
            let index = progress.batchIndex + offset, globalSize = configuration.batchSize * processGroup.size
            if processGroup.size > 1 && index < batches.batchesPerEpoch - 1 && global.batchSize != globalSize {
                throw TrainingError.notGlobalBatch(rows: global.batchSize, expected: globalSize, processes: processGroup.size)
            }
            let share = try BatchShare(of: global, group: processGroup)
            someShareWasEmpty = someShareWasEmpty || global.batchSize < processGroup.size
            guard let batch = share.batch else { continue }
            // Dropout masks as one process would draw them on the global batch.
            generator?.batchShare = processGroup.size > 1 ? (share.rows.lowerBound, share.rows.count) : nil
            defer { generator?.batchShare = nil }
            // Each term's mean over this share, weighted by the share's part of what the term averages over:
            // summed over the processes, the global batch's loss.
            let result = try loss(batch)
            let shareLoss = result.weightedSum { $0.weight * $0.normalizer.weight(of: batch, in: global) }
            lossSum += Double(shareLoss.item)
            let scaled = scale == 1 ? shareLoss : shareLoss * scale
            // With several processes the last micro-batch's backward pass runs inside the all-reduce, which
            // overlaps them.
            if processGroup.size > 1 && offset == microBatches - 1 { lastLoss = scaled } else { scaled.backward() }
            tokens += batch.tokenCount
            logged.append(result.logged)
        }
        // A process without rows drew no dropout keys: all take the generator of the last, which always has rows.
        if someShareWasEmpty, let generator { try synchronize(generator) }
        var communicationSeconds: Double?
        if processGroup.size > 1 {
            var totals = [Float(lossSum), Float(tokens)]
            let reduction = GradientAllReduce(
                group: processGroup, bucketCapacity: configuration.allReduceBucketFloats,
                overlapsBackward: configuration.overlapsCommunication)
            communicationSeconds = try reduction.reduce(parameters.map(\.tensor), backward: lastLoss, extras: &totals)
            (lossSum, tokens) = (Double(totals[0]), Int(totals[1]))
        }
        let norm = clipGradientNorm(parameters.map(\.tensor), maxNorm: configuration.maxGradNorm ?? .infinity)
        let learningRate = plan.learningRate(atStep: progress.step)
        optimizer.learningRate = learningRate
        optimizer.update()
        return Update(
            loss: lossSum / Double(microBatches), learningRate: learningRate, gradientNorm: Double(norm),
            tokens: tokens, logged: logged, communicationSeconds: communicationSeconds)
    }

    /// Gives every process process 0's parameters, so that they start alike whatever each one loaded.
    private func synchronizeParameters() throws {
        guard processGroup.size > 1 else { return }
        for (_, tensor) in parameters {
            try tensor.withUnsafeMutableBufferPointer { buffer throws(ProcessGroupError) in
                try processGroup.broadcastFromLeader(buffer)
            }
        }
    }

    private func setTraining(_ training: Bool) {
        for (_, module) in modules { module.setTraining(training) }
    }

    // MARK: - Evaluation

    private func evaluate(_ evaluation: Evaluation, progress: inout TrainingProgress, epoch: Double, run: inout Run) throws {
        setTraining(false)
        defer { setTraining(true) }
        let values = try withoutGrad { try evaluation.evaluate() }
        guard let score = values[evaluation.metricForBestModel] else {
            throw TrainingError.missingSelectionMetric(evaluation.metricForBestModel, reported: Array(values.keys))
        }
        try run.log?.append(step: progress.step, epoch: epoch, split: "eval", values: values)
        let improved = score.isFinite
            && progress.bestMetric.map { evaluation.greaterIsBetter ? score > $0 : score < $0 } ?? true
        if improved {
            progress.bestMetric = score
            progress.bestStep = progress.step
            try exportModel(outputDirectory)
        }
        run.lastEvaluation = values
        let shown = values.sorted { $0.key < $1.key }.map { "\($0.key) " + String(format: "%.4f", $0.value) }
        run.reporter.message(
            String(format: "eval after update %d (epoch %.2f): ", progress.step, epoch) + shown.joined(separator: ", ")
                + (improved ? " (best so far, saved to \(outputDirectory.path))" : ""))
    }

    // MARK: - Checkpoints

    private func saveCheckpoint(_ progress: TrainingProgress) throws {
        let state = CheckpointState(
            progress: progress, optimizerStep: optimizer.step,
            randomStartState: generatorStartState.map(CheckpointState.encode),
            randomState: generator.map { CheckpointState.encode($0.state) },
            sourceState: try batches.savedState().map { String(decoding: $0, as: UTF8.self) },
            settings: trajectorySettings)
        try checkpointFolder.replace { folder in
            try CheckpointTensors.write(parameters, to: folder.appendingPathComponent(CheckpointFolder.parametersFile))
            var moments: [(name: String, tensor: Tensor)] = []
            for (name, _) in parameters {
                if let m = optimizer.firstMoments[name], let v = optimizer.secondMoments[name] {
                    moments += [("exp_avg.\(name)", m), ("exp_avg_sq.\(name)", v)]
                }
            }
            try CheckpointTensors.write(moments, to: folder.appendingPathComponent(CheckpointFolder.optimizerFile))
            try state.write(to: folder)
        }
    }

    private func restoreCheckpoint() throws -> TrainingProgress {
        guard let folder = checkpointFolder.current else {
            throw TrainingError.noCheckpoint(directory: checkpointFolder.directory.path)
        }
        let state = try CheckpointState.read(from: folder)
        let stateFile = folder.appendingPathComponent(CheckpointFolder.stateFile).path
        for (name, value) in trajectorySettings.sorted(by: { $0.key < $1.key }) {
            let recorded = state.settings[name] ?? TrainingConfiguration.unrecordedTrajectorySettings[name]
            guard recorded != value else { continue }
            throw TrainingError.checkpointMismatch(
                file: stateFile, setting: name, checkpoint: recorded ?? "(not recorded)", current: value)
        }

        let parameterFile = try CheckpointTensors.open(folder.appendingPathComponent(CheckpointFolder.parametersFile))
        let expected = Set(parameters.map(\.name))
        if let extra = parameterFile.names.first(where: { !expected.contains($0) }) {
            throw TrainingError.corruptCheckpoint(
                file: parameterFile.url.path, reason: "holds '\(extra)', which this run does not train")
        }
        for (name, tensor) in parameters { try CheckpointTensors.copy(name, from: parameterFile, into: tensor) }

        let optimizerFile = try CheckpointTensors.open(folder.appendingPathComponent(CheckpointFolder.optimizerFile))
        var firstMoments: [String: Tensor] = [:], secondMoments: [String: Tensor] = [:]
        for (name, tensor) in parameters where optimizerFile.info("exp_avg.\(name)") != nil {
            let m = Tensor(uninitializedShape: tensor.shape), v = Tensor(uninitializedShape: tensor.shape)
            try CheckpointTensors.copy("exp_avg.\(name)", from: optimizerFile, into: m)
            try CheckpointTensors.copy("exp_avg_sq.\(name)", from: optimizerFile, into: v)
            firstMoments[name] = m
            secondMoments[name] = v
        }
        optimizer.restore(step: state.optimizerStep, firstMoments: firstMoments, secondMoments: secondMoments)

        switch (generator, state.randomStartState.flatMap(CheckpointState.decode), state.randomState.flatMap(CheckpointState.decode)) {
        case (nil, nil, nil):
            break
        case let (generator?, startState?, savedState?)
            where startState == generatorStartState && generator.restore(state: savedState):
            break
        default:
            throw TrainingError.randomStreamMismatch(file: stateFile)
        }
        if let sourceState = state.sourceState {
            do {
                try batches.restore(savedState: Data(sourceState.utf8))
            } catch {
                throw TrainingError.corruptCheckpoint(file: stateFile, reason: "cannot restore the data position (\(error))")
            }
        }
        return state.progress
    }

    /// ``TrainingConfiguration/trajectorySettings`` (the batch size being the global batch's) and the size of
    /// the training set.
    private var trajectorySettings: [String: String] {
        var settings = configuration.trajectorySettings
        settings["batch_size"] = "\(configuration.batchSize * processGroup.size)"
        settings["training_examples"] = "\(batches.exampleCount)"
        return settings
    }
}

/// The result of ``Trainer/train(resume:stopAfterStep:)``.
public struct TrainingSummary: Sendable, Equatable {
    /// Whether the run stopped before its last update because a stop was requested (a checkpoint was written).
    public var stoppedEarly: Bool
    /// Updates made, counting those before a resume.
    public var steps: Int
    /// Updates the plan has.
    public var totalSteps: Int
    /// The best value of the selection metric and the update after which it was measured (`nil` without
    /// evaluation or before the first one).
    public var bestMetric: Double?
    public var bestStep: Int?
    /// The values of the last evaluation of this process.
    public var lastEvaluation: [String: Double]?
    /// The loss of the last update made by this process (the mean over its micro-batches).
    public var lastLoss: Double?
}

/// The running state of one `train` call: logs, progress bar and the averages of the current logging window.
private struct Run {
    /// `nil` in processes other than process 0.
    let log: MetricsLog?
    var reporter: ProgressReporter
    var lastEvaluation: [String: Double]?
    var lastLoss: Double?
    private var window: [Trainer.Update] = []

    init(log: MetricsLog?, reporter: ProgressReporter) {
        self.log = log
        self.reporter = reporter
    }

    mutating func record(_ update: Trainer.Update) {
        window.append(update)
        lastLoss = update.loss
    }

    /// Writes the means over the updates since the last line (the learning rate of the latest update).
    mutating func logTraining(step: Int, epoch: Double) throws {
        guard let latest = window.last else { return }
        let count = Double(window.count)
        var values = ["loss": window.reduce(0) { $0 + $1.loss } / count,
                      "grad_norm": window.reduce(0) { $0 + $1.gradientNorm } / count,
                      "learning_rate": Double(latest.learningRate)]
        let communication = window.compactMap(\.communicationSeconds)
        if !communication.isEmpty { values["allreduce_seconds"] = communication.reduce(0, +) / Double(communication.count) }
        let logged = window.flatMap(\.logged)
        for key in Set(logged.flatMap(\.keys)) {
            let samples = logged.compactMap { $0[key] }
            values[key] = samples.reduce(0, +) / Double(samples.count)
        }
        try log?.append(step: step, epoch: epoch, split: "train", values: values)
        window.removeAll()
    }

    func summary(_ progress: TrainingProgress, plan: TrainingPlan, stoppedEarly: Bool) -> TrainingSummary {
        TrainingSummary(
            stoppedEarly: stoppedEarly, steps: progress.step, totalSteps: plan.totalSteps, bestMetric: progress.bestMetric,
            bestStep: progress.bestStep, lastEvaluation: lastEvaluation, lastLoss: lastLoss)
    }
}
