import ArgumentParser
import Distillation
import Evaluation
import Foundation
import Training

/// `distill task`: task-specific distillation of a fine-tuned teacher into a student.
struct TaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Train a student on a task with a fine-tuned teacher's soft targets (DistilBERT's task stage).",
        discussion: """
            Loss per batch (means over the batch), with p = softmax(z / T) for teacher t and student s:
              classification: alpha * T^2 * KL(p_t || p_s) + (1 - alpha) * CE(z_s, y)
              regression:     alpha * MSE(z_s, z_t) + (1 - alpha) * MSE(z_s, y)
              squad:          alpha * T^2 * (KL_start + KL_end) / 2
                              + (1 - alpha) * (CE_start + CE_end) / 2
            plus --mse-logits-weight * MSE(z_s, z_t), --cosine-weight * the mean over student layers of \
            1 - cos(student layer output, mapped teacher layer output) over real tokens, and --hidden-mse-weight * \
            the sum over student layers of MSE(W h_s + b, mapped teacher layer output) (TinyBERT; W, b a learned \
            projection when the widths differ, trained with the student and kept in the checkpoint). The layer map \
            comes from --layer-map or from "distill_teacher_layers" in the student's config.json (written by \
            `distill student`).

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

    @Option(help: "Softmax temperature T of the KL term.")
    var temperature: Float = TaskDistillationSettings().temperature

    @Option(help: "Weight of the teacher term; the label term gets 1 - alpha.")
    var alpha: Float = TaskDistillationSettings().alpha

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
        if layerMap != nil && cosineWeight == 0 && hiddenMseWeight == 0 {
            throw ValidationError("--layer-map only matters with --cosine-weight or --hidden-mse-weight")
        }
    }

    func run() throws {
        if SquadTask.isRequested(task) { return try distillSquad() }
        let outputURL = URL(fileURLWithPath: output)
        try session.checkNoStaleCheckpoint(in: outputURL)
        let request = self.request(output: outputURL)

        let run: TaskDistillationRun
        do {
            run = try TaskDistillationRun(request, stopRequest: StopRequest.installingSignalHandlers(), log: printError)
        } catch let error as TaskDistillationError {
            throw Self.commandLineError(error)
        }
        DataReadingOptions.report(run.skippedRows)
        let head = run.labels.map { "classes \($0.names.joined(separator: ", "))" } ?? "regression"
        describe(
            teacher: run.teacher.model, student: run.student, data: "\(run.trainingExamples.count) examples, \(head)",
            cached: run.cacheOutcome != nil, plan: run.trainer.plan, configuration: request.training, unit: "examples",
            teacherScores: run.teacherDevScores.map { Self.formatted($0.values) }, fresh: run.freshStudentParameters)
        try Self.finish(
            try run.train(resume: session.resume), metric: run.metrics[0].rawValue,
            teacherValue: run.teacherDevScores?.values[run.metrics[0].rawValue], checkpoint: run.trainer.checkpointDirectory,
            output: outputURL)
    }

    /// The request the options make.
    func request(output outputURL: URL) -> TaskDistillationRequest {
        var request = TaskDistillationRequest(
            teacherDirectory: URL(fileURLWithPath: teacher), studentDirectory: URL(fileURLWithPath: student),
            trainPath: train, devPath: dev, outputDirectory: outputURL)
        request.task = task
        request.metrics = session.metrics
        request.settings = TaskDistillationSettings(
            temperature: temperature, alpha: alpha, cosineWeight: cosineWeight, logitsMSEWeight: mseLogitsWeight,
            hiddenMSEWeight: hiddenMseWeight)
        request.layerMap = layerMap?.values
        request.useTeacherCache = !noTeacherCache
        request.cacheDirectory = cacheDir.map { URL(fileURLWithPath: $0) }
        request.training = training.configuration
        request.inferenceBatchSize = session.evalBatchSize
        request.skipBadRows = data.skipBadRows
        return request
    }

    /// Prints what the run is about to do: the models and data, the loss, the schedule, the teacher's dev scores
    /// and any fresh student weights; `unit` names what a batch holds.
    func describe(
        teacher teacherModel: any DistillableModel, student studentModel: any DistillableModel, data: String, cached: Bool,
        plan: TrainingPlan, configuration: TrainingConfiguration, unit: String, teacherScores: String?, fresh: [String]
    ) {
        var notes = [
            "distilling \(teacher) (\(teacherModel.config.layerCount) layers, \(teacherModel.parameterCount) parameters) into "
                + "\(student) (\(studentModel.config.layerCount) layers, \(studentModel.parameterCount) parameters) on \(train): \(data)",
            "loss: T \(temperature), alpha \(alpha)" + (cosineWeight > 0 ? ", cosine \(cosineWeight)" : "")
                + (mseLogitsWeight > 0 ? ", logits MSE \(mseLogitsWeight)" : "")
                + (hiddenMseWeight > 0 ? ", hidden MSE \(hiddenMseWeight)" : "")
                + (cached ? "; teacher logits cached" : "; teacher run at every step"),
            "\(plan.epochCount) epoch(s), \(plan.totalSteps) updates (\(plan.warmupSteps) warm-up) of "
                + "\(configuration.batchSize) x \(configuration.gradientAccumulation) \(unit), peak lr \(configuration.learningRate)",
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
