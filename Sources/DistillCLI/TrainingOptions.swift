import ArgumentParser
import Training

/// The options every training command shares (`distill finetune`, `distill task`), mapped onto a
/// `TrainingConfiguration`; the defaults and where they come from are documented there.
struct TrainingOptions: ParsableArguments {
    @Option(help: "Passes over the training data (Hugging Face Trainer's default).")
    var epochs = TrainingConfiguration().epochs

    @Option(help: "Examples per micro-batch and process (under mpirun -np N the batch is N times this; the SST-2 recipe's 32).")
    var batchSize = TrainingConfiguration().batchSize

    @Option(name: .customLong("grad-accum"), help: "Micro-batches per optimizer update; the effective batch is batch-size x grad-accum.")
    var gradientAccumulation = TrainingConfiguration().gradientAccumulation

    @Option(name: .customLong("lr"), help: "Peak learning rate (Hugging Face Trainer's default).")
    var learningRate = TrainingConfiguration().learningRate

    @Option(help: "Fraction of the updates spent warming the learning rate up from 0 (the SST-2 recipe's 0.06); it then decays linearly to 0.")
    var warmupRatio = TrainingConfiguration().warmupRatio

    @Option(help: "AdamW weight decay, not applied to biases and LayerNorm weights (BERT's 0.01).")
    var weightDecay = TrainingConfiguration().weightDecay

    @Option(help: "Clip the global gradient norm to this (Hugging Face Trainer's default); 0 turns clipping off.")
    var maxGradNorm: Float = TrainingConfiguration().maxGradNorm ?? 0

    @Option(help: "Longest tokenized example, special tokens included; longer ones are truncated (run_glue.py's default).")
    var maxLength = TrainingConfiguration().maxLength

    @Option(help: "Seed of the fresh weights, dropout and data order (Hugging Face Trainer's default).")
    var seed = TrainingConfiguration().seed

    @Option(help: "Stop after this many updates at most; the learning-rate schedule spans the capped run.")
    var maxSteps: Int?

    @Option(help: "Evaluate on the dev set every N updates (default: at the end of each epoch).")
    var evalEvery: Int?

    @Option(help: "Write a resumable checkpoint to <output>/checkpoint every N updates (default: only when stopped with Ctrl-C).")
    var saveEvery: Int?

    @Option(help: "Log the training loss to <output>/metrics.jsonl every N updates.")
    var logEvery = TrainingConfiguration().logEvery

    @Flag(help: "Batch examples of similar length together (less padding, faster epochs).")
    var groupByLength = false

    /// The options as a training configuration.
    var configuration: TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.epochs = epochs
        configuration.batchSize = batchSize
        configuration.gradientAccumulation = gradientAccumulation
        configuration.learningRate = learningRate
        configuration.warmupRatio = warmupRatio
        configuration.weightDecay = weightDecay
        configuration.maxGradNorm = maxGradNorm > 0 ? maxGradNorm : nil
        configuration.maxLength = maxLength
        configuration.seed = seed
        configuration.maxSteps = maxSteps
        configuration.evaluateEvery = evalEvery
        configuration.saveEvery = saveEvery
        configuration.logEvery = logEvery
        configuration.groupByLength = groupByLength
        return configuration
    }

    func validate() throws {
        if maxGradNorm < 0 { throw ValidationError("--max-grad-norm must not be negative (0 turns clipping off)") }
        do {
            try configuration.validate()
        } catch {
            guard case .invalidSetting(let setting, let rule) = error else { throw ValidationError(error.description) }
            throw ValidationError("--\(Self.flag(for: setting)) \(rule)")
        }
    }

    /// The option that sets `setting`.
    static func flag(for setting: TrainingSetting) -> String {
        switch setting {
        case .epochs: "epochs"
        case .batchSize: "batch-size"
        case .gradientAccumulation: "grad-accum"
        case .learningRate: "lr"
        case .warmupRatio: "warmup-ratio"
        case .weightDecay: "weight-decay"
        case .adamBeta2: "adam-beta2"
        case .adamEpsilon: "adam-epsilon"
        case .maxGradNorm: "max-grad-norm"
        case .maxSteps: "max-steps"
        case .maxLength: "max-length"
        case .evaluateEvery: "eval-every"
        case .saveEvery: "save-every"
        case .logEvery: "log-every"
        }
    }
}
