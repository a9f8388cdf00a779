import ArgumentParser
import Distillation
import Evaluation
import Foundation
import Training

/// `distill task`: task-specific distillation of a fine-tuned teacher into a student.
struct TaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Train a student on a task with a fine-tuned teacher (Hinton/DistilBERT's task stage, or TinyBERT's two).",
        discussion: """
            --objective hinton (the default). Loss per batch (means over the batch; the label term over its \
            labelled rows), with p = softmax(z / T) for teacher t and student s:
              classification: alpha * T^2 * KL(p_t || p_s) + (1 - alpha) * CE(z_s, y)
              regression:     alpha * MSE(z_s, z_t) + (1 - alpha) * MSE(z_s, y)
              squad:          alpha * T^2 * (KL_start + KL_end) / 2
                              + (1 - alpha) * (CE_start + CE_end) / 2
            plus --mse-logits-weight * MSE(z_s, z_t), --cosine-weight * the mean over student layers of \
            1 - cos(student layer output, mapped teacher layer output) over real tokens, and --hidden-mse-weight * \
            the sum over student layers of MSE(W h_s + b, mapped teacher layer output) (TinyBERT; W, b a learned \
            projection when the widths differ, trained with the student and kept in the checkpoint). The layer map \
            comes from --layer-map or from "distill_teacher_layers" in the student's config.json (written by \
            `distill student`). Defaults: T 2, alpha 0.5 (DistilBERT's task stage); training as `distill finetune`.

            --objective tinybert (TinyBERT's task-specific distillation, Jiao et al. 2020, section 3.3 and 4.2):

            --stage intermediate: sum over layers of MSE(attention scores) [attention] + sum over the embedding \
            output and the layers of MSE(W h_s + b, h_t) [hidden_mse], W a learned projection when the widths \
            differ; student layer i learns from teacher layer (i+1)k-1, k = teacher layers / student layers \
            (--layer-map overrides). The classifier is not trained, so the last student is kept (no dev scoring). \
            Defaults: constant lr 5e-5, no warm-up (TinyBERT's intermediate stage: batch 32, lr 5e-5).

            --stage prediction: -sum_c softmax(z_t/T)_c * log_softmax(z_s/T)_c [soft_ce], no T^2 and no label \
            term. Defaults: T 1, lr 3e-5, 10% warm-up then linear decay, the best student on dev kept (TinyBERT \
            chose its rate from {1e-5, 2e-5, 3e-5}).

            --stage both (the default): intermediate into <output>/intermediate, then prediction from it into \
            <output>. With --resume a finished intermediate stage is not run again.

            TinyBERT ran the intermediate stage for many more epochs (20 on augmented data) than the prediction \
            stage (3); here both take --epochs (default 3): run the stages separately to give each its own.

            Unlabelled rows: training rows with an empty label (as `distill augment` writes them) and the rows of \
            --transfer (text the teacher labels, Bucila et al. 2006) learn from the teacher's outputs alone; the \
            teacher's logits on them are cached with the others.

            The teacher runs in evaluation mode without gradients. Its logits on the training set are computed once \
            and cached in <output>/teacher-cache (or --cache-dir), keyed by the teacher's weights and config, the \
            training file, --max-length and the tokenized examples; a change to any of them recomputes them. The \
            hidden-state losses need the teacher's hidden states at every step, so they bypass the cache.

            Labels come from the teacher's id2label (integer labels in the data are class indices). The output \
            directory receives the best student on the dev set, metrics.jsonl (with the kd/hard/mse_logits/cosine/hidden_mse \
            parts of the loss) and, when asked, checkpoint/ as for `distill finetune`.

            \(SquadTask.trainingHelp) Teacher logits are cached per window.

            Example:
              distill task --teacher runs/minilm-sst2 --student runs/student --task sst2 \\
                --train ../shared/data/sst2/train.tsv --dev ../shared/data/sst2/dev.tsv \\
                --output runs/student-sst2
              distill task --teacher runs/squad/teacher --student runs/squad/init \\
                --task squad --train ../shared/data/squad/train-v1.1.json \\
                --dev ../shared/data/squad/dev-v1.1.json --output runs/squad/student
            """)

    @Option(help: "Fine-tuned teacher directory.")
    var teacher: String

    @Option(help: "Student directory (from `distill student`, or any checkpoint sharing the teacher's vocabulary).")
    var student: String

    @Option(help: "Training file (.tsv, .csv or .jsonl).")
    var train: String

    @Option(help: "Dev file, evaluated at the end of each epoch (or --eval-every); the best student is kept.")
    var dev: String?

    @Option(help: "Output directory.")
    var output: String

    enum ObjectiveName: String, ExpressibleByArgument, CaseIterable {
        case hinton, tinybert
    }

    enum Stage: String, ExpressibleByArgument, CaseIterable {
        case intermediate, prediction, both
    }

    @Option(help: "hinton (Hinton/DistilBERT's task stage) or tinybert (TinyBERT's, see --stage).")
    var objective: ObjectiveName = .hinton

    @Option(help: "tinybert: intermediate, prediction or both (default: both).")
    var stage: Stage?

    @Option(help: "Unlabelled text in the training file's format, learnt from the teacher's outputs alone.")
    var transfer: String?

    @Option(help: "Softmax temperature T of the soft term (default: hinton 2, tinybert 1).")
    var temperature: Float?

    @Option(help: "hinton: weight of the teacher term; the label term gets 1 - alpha (default 0.5).")
    var alpha: Float?

    @Option(help: "Weight of the hidden-state cosine loss (0: off). Runs the teacher at every step.")
    var cosineWeight: Float = 0

    @Option(help: "Weight of an extra MSE between student and teacher logits (0: off).")
    var mseLogitsWeight: Float = 0

    @Option(help: "Weight of the hidden-state MSE through a learned projection (0: off). Runs the teacher at every step.")
    var hiddenMseWeight: Float = 0

    @Option(help: "Teacher layer of each student layer for the hidden-state losses, comma-separated (default: the student's recorded layers).")
    var layerMap: LayerList?

    @Flag(help: "Run the teacher at every step instead of caching its logits.")
    var noTeacherCache = false

    @Option(help: "Directory of the teacher-logits cache (default: <output>/teacher-cache).")
    var cacheDir: String?

    @Option(help: "GLUE task name (sst2, cola, mrpc, stsb, ...), for its metrics; squad for question answering.")
    var task: String?

    @OptionGroup var data: DataReadingOptions

    @OptionGroup(title: "Reporting and resuming")
    var session: SessionOptions

    @OptionGroup(title: "Training")
    var training: TrainingOptions

    func validate() throws {
        if layerMap != nil && cosineWeight == 0 && hiddenMseWeight == 0 && objective != .tinybert {
            throw ValidationError("--layer-map only matters with --cosine-weight or --hidden-mse-weight, or --objective tinybert")
        }
        switch objective {
        case .hinton:
            if stage != nil { throw ValidationError("--stage only applies to --objective tinybert") }
        case .tinybert:
            let hintonOnly = [("alpha", alpha != nil), ("cosine-weight", cosineWeight != 0), ("mse-logits-weight", mseLogitsWeight != 0),
                              ("hidden-mse-weight", hiddenMseWeight != 0)]
            if let (flag, _) = hintonOnly.first(where: \.1) { throw ValidationError("--\(flag) only applies to --objective hinton") }
            if SquadTask.isRequested(task) { throw ValidationError("--objective tinybert is for classification and regression, not --task squad") }
        }
    }

    /// The objectives to run in turn: one, or TinyBERT's two stages.
    var stages: [any TaskObjective] {
        switch (objective, stage ?? .both) {
        case (.hinton, _): [HintonTaskObjective()]
        case (.tinybert, .intermediate): [TinyBERTIntermediateObjective()]
        case (.tinybert, .prediction): [TinyBERTPredictionObjective()]
        case (.tinybert, .both): [TinyBERTIntermediateObjective(), TinyBERTPredictionObjective()]
        }
    }

    func run() throws {
        if SquadTask.isRequested(task) { return try distillSquad() }
        let outputURL = URL(fileURLWithPath: output)
        var studentDirectory = URL(fileURLWithPath: student)
        for (index, objective) in stages.enumerated() {
            let isLast = index == stages.count - 1
            // Earlier stages write into <output>/<stage>; the last one into <output>.
            let stageOutput = isLast ? outputURL : outputURL.appendingPathComponent("intermediate")
            if !isLast && session.resume && Self.isFinished(stageOutput) {
                printError("\(objective.name): finished earlier in \(stageOutput.path)")
            } else {
                try runStage(objective, student: studentDirectory, output: stageOutput, resume: session.resume && (isLast || Trainer.hasCheckpoint(in: stageOutput)))
            }
            studentDirectory = stageOutput
        }
    }

    /// Whether a stage's output holds its student and no checkpoint left to resume.
    private static func isFinished(_ output: URL) -> Bool {
        FileManager.default.fileExists(atPath: output.appendingPathComponent("model.safetensors").path) && !Trainer.hasCheckpoint(in: output)
    }

    /// Runs one objective from `studentDirectory` into `outputURL`.
    private func runStage(_ objective: any TaskObjective, student studentDirectory: URL, output outputURL: URL, resume: Bool) throws {
        try session.checkNoStaleCheckpoint(in: outputURL)
        var request = self.request(output: outputURL, objective: objective)
        request.studentDirectory = studentDirectory

        let run: TaskDistillationRun
        do {
            run = try TaskDistillationRun(request, stopRequest: StopRequest.installingSignalHandlers(), log: printError)
        } catch let error as TaskDistillationError {
            throw Self.commandLineError(error)
        }
        DataReadingOptions.report(run.skippedRows)
        let head = run.labels.map { "classes \($0.names.joined(separator: ", "))" } ?? "regression"
        let unlabelled = run.unlabelledCount > 0 ? " (\(run.unlabelledCount) unlabelled: teacher only)" : ""
        describe(
            teacher: run.teacher.model, student: run.student, studentPath: studentDirectory.path, objective: objective,
            terms: run.distiller.objective.terms, settings: request.settings, data: "\(run.trainingExamples.count) examples\(unlabelled), \(head)",
            cached: run.cacheOutcome != nil, plan: run.trainer.plan, configuration: request.training, unit: "examples",
            teacherScores: run.teacherDevScores.map { Self.formatted($0.values) }, fresh: run.freshStudentParameters)
        try Self.finish(
            try run.train(resume: resume), metric: run.metrics[0].rawValue,
            teacherValue: run.teacherDevScores?.values[run.metrics[0].rawValue], checkpoint: run.trainer.checkpointDirectory,
            output: outputURL)
    }

    /// The request the options make for `objective` (its recipe under the options given explicitly).
    func request(output outputURL: URL, objective: any TaskObjective = HintonTaskObjective()) -> TaskDistillationRequest {
        var request = TaskDistillationRequest(
            teacherDirectory: URL(fileURLWithPath: teacher), studentDirectory: URL(fileURLWithPath: student),
            trainPath: train, devPath: dev, outputDirectory: outputURL)
        request.task = task
        request.metrics = session.metrics
        request.objective = objective
        request.transferPath = transfer
        var settings = TaskDistillationSettings(cosineWeight: cosineWeight, logitsMSEWeight: mseLogitsWeight, hiddenMSEWeight: hiddenMseWeight)
        objective.applyRecipe(to: &settings)
        if let temperature { settings.temperature = temperature }
        if let alpha { settings.alpha = alpha }
        request.settings = settings
        request.layerMap = layerMap?.values
        request.useTeacherCache = !noTeacherCache
        request.cacheDirectory = cacheDir.map { URL(fileURLWithPath: $0) }
        request.training = training.configuration(recipe: objective.applyRecipe(to:))
        request.inferenceBatchSize = session.evalBatchSize
        request.skipBadRows = data.skipBadRows
        return request
    }

    /// Prints what the run is about to do: the models and data, the loss, the schedule, the teacher's dev scores
    /// and any fresh student weights; `unit` names what a batch holds.
    func describe(
        teacher teacherModel: any DistillableModel, student studentModel: any DistillableModel, studentPath: String,
        objective: any TaskObjective, terms: [DistillationObjective.WeightedTerm], settings: TaskDistillationSettings, data: String,
        cached: Bool, plan: TrainingPlan, configuration: TrainingConfiguration, unit: String, teacherScores: String?, fresh: [String]
    ) {
        var notes = [
            "distilling \(teacher) (\(teacherModel.config.layerCount) layers, \(teacherModel.parameterCount) parameters) into "
                + "\(studentPath) (\(studentModel.config.layerCount) layers, \(studentModel.parameterCount) parameters) on \(train)"
                + (transfer.map { " + \($0)" } ?? "") + ": \(data)",
            "\(objective.name): " + terms.map { "\($0.weight) x \($0.term.name)" }.joined(separator: " + ")
                + (objective.trainsClassifier ? ", T \(settings.temperature)" : "")
                + (cached ? "; teacher logits cached" : "; teacher run at every step"),
            "\(plan.epochCount) epoch(s), \(plan.totalSteps) updates (\(plan.warmupSteps) warm-up) of "
                + "\(configuration.batchSize) x \(configuration.gradientAccumulation) \(unit), peak lr \(configuration.learningRate)"
                + (configuration.decaysLearningRate ? "" : " (constant)") + configuration.precisionNote,
        ]
        if let teacherScores { notes.append("teacher on dev: " + teacherScores) }
        if !fresh.isEmpty { notes.append("fresh student weights: " + fresh.joined(separator: ", ")) }
        printError(notes.joined(separator: "\n"))
    }

    /// Prints how a run ended, next to the teacher's value of the metric; a run stopped early exits with status 130.
    static func finish(_ summary: TrainingSummary, metric: String, teacherValue: Double?, checkpoint: URL, output: URL) throws {
        var lines = ["\(summary.steps)/\(summary.totalSteps) updates" + (summary.stoppedEarly ? " (stopped early)" : "")]
        if let best = summary.bestMetric, let step = summary.bestStep {
            lines.append("best student \(metric) " + String(format: "%.4f", best) + " after update \(step)"
                + (teacherValue.map { " (teacher " + String(format: "%.4f", $0) + ")" } ?? ""))
        }
        lines.append(summary.stoppedEarly ? "resume with the same command and --resume (checkpoint: \(checkpoint.path))" : "student: \(output.path)")
        print(lines.joined(separator: "\n"))
        if summary.stoppedEarly { throw ExitCode(130) }
    }

    /// The library's error in the words of this command's options.
    static func commandLineError(_ error: TaskDistillationError) -> CommandLineError {
        switch error {
        case .invalidSetting(let setting, let rule): CommandLineError("--\(flag(for: setting)) \(rule)")
        case .badLayerMap(.requested, let reason): CommandLineError("--layer-map: \(reason)")
        case .noRecordedLayerMap(let path):
            CommandLineError("\(path): the student records no teacher layers (it was not made by `distill student`); pass --layer-map")
        case .sequencesTooLong(let maxLength, let positions):
            CommandLineError("--max-length \(maxLength) exceeds a model's \(positions) positions")
        case .metricDoesNotApply(let metric, let task):
            CommandLineError("--metric \(metric.rawValue) does not apply to a \(task.rawValue) task")
        case .badLayerMap, .widthMismatch, .incompatible: CommandLineError(error.description)
        }
    }

    /// The option that sets `setting`.
    static func flag(for setting: TaskDistillationSetting) -> String {
        switch setting {
        case .temperature: "temperature"
        case .alpha: "alpha"
        case .cosineWeight: "cosine-weight"
        case .logitsMSEWeight: "mse-logits-weight"
        case .hiddenMSEWeight: "hidden-mse-weight"
        case .inferenceBatchSize: "eval-batch-size"
        }
    }

    private static func formatted(_ values: [String: Double]) -> String {
        values.sorted { $0.key < $1.key }.map { "\($0.key) " + String(format: "%.4f", $0.value) }.joined(separator: ", ")
    }
}
