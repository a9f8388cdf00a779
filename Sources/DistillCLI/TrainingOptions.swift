import ArgumentParser
import Training

/// The options every training command shares (`distill finetune`, `distill task`), mapped onto a
/// `TrainingConfiguration`; the defaults and where they come from are documented there. Epochs, learning rate,
/// warm-up and schedule left unset take a recipe's values where a command has one (`distill task --objective`).
struct TrainingOptions: ParsableArguments {
    @Option(help: "Passes over the training data (default 3, Hugging Face Trainer's).")
    var epochs: Int?

    @Option(help: "Examples per micro-batch and process (under mpirun -np N the batch is N times this; the SST-2 recipe's 32).")
    var batchSize = TrainingConfiguration().batchSize

    @Option(name: .customLong("grad-accum"), help: "Micro-batches per optimizer update; the effective batch is batch-size x grad-accum.")
    var gradientAccumulation = TrainingConfiguration().gradientAccumulation

    @Option(name: .customLong("lr"), help: "Peak learning rate (default 5e-5, Hugging Face Trainer's).")
    var learningRate: Float?

    @Option(help: "Fraction of the updates spent warming the learning rate up from 0 (default 0.06, the SST-2 recipe's).")
    var warmupRatio: Double?

    @Option(help: "After the warm-up: linear (decay to 0, Hugging Face Trainer's default) or constant.")
    var lrSchedule: LearningRateSchedule?

    @Option(help: "AdamW weight decay, not applied to biases and LayerNorm weights (BERT's 0.01).")
    var weightDecay = TrainingConfiguration().weightDecay

    @Option(help: "Clip the global gradient norm to this (Hugging Face Trainer's default); 0 turns clipping off.")
    var maxGradNorm: Float = TrainingConfiguration().maxGradNorm ?? 0

    @Option(help: "Longest tokenized example, special tokens included; longer ones are truncated (default 128, run_glue.py's; --task squad: windows of 384).")
    var maxLength: Int?

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

    @Flag(help: ArgumentHelp(TrainingOptions.bf16Help))
    var bf16 = false

    @OptionGroup(title: "Several processes (mpirun)")
    var dataParallel: DataParallelOptions

    /// The help of `--bf16`, which `distill general` shares.
    static let bf16Help = """
        Mixed-precision training: the linear layers' matmuls, forward and backward, take operands rounded to bf16 \
        and accumulate in f32 on oneDNN's AVX512-BF16 or AMX kernels (faster; in distill general the teacher's \
        forward pass too); master weights, gradients, AdamW's \
        state, LayerNorm, softmax, losses and reductions stay f32. Needs a CPU with AVX512-BF16 or AMX-BF16: the \
        command stops with an error naming them otherwise. A checkpoint resumes only with the same setting \
        (default: off, f32 matmuls).
        """

    /// After the warm-up, how the learning rate goes on.
    enum LearningRateSchedule: String, ExpressibleByArgument, CaseIterable {
        case linear, constant
    }

    /// The options as a training configuration.
    var configuration: TrainingConfiguration { configuration(recipe: { _ in }) }

    /// The options on top of `recipe`'s epochs, learning rate, warm-up and schedule (else the defaults).
    func configuration(recipe: (inout TrainingConfiguration) -> Void) -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        recipe(&configuration)
        if let epochs { configuration.epochs = epochs }
        configuration.batchSize = batchSize
        configuration.gradientAccumulation = gradientAccumulation
        if let learningRate { configuration.learningRate = learningRate }
        if let warmupRatio { configuration.warmupRatio = warmupRatio }
        if let lrSchedule { configuration.decaysLearningRate = lrSchedule == .linear }
        configuration.weightDecay = weightDecay
        configuration.maxGradNorm = maxGradNorm > 0 ? maxGradNorm : nil
        if let maxLength { configuration.maxLength = maxLength }
        configuration.seed = seed
        configuration.maxSteps = maxSteps
        configuration.evaluateEvery = evalEvery
        configuration.saveEvery = saveEvery
        configuration.logEvery = logEvery
        configuration.groupByLength = groupByLength
        configuration.matmulPrecision = bf16 ? .bf16 : .f32
        dataParallel.apply(to: &configuration)
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
        case .matmulPrecision: "bf16"
        case .allReduceBucket: "bucket-mb"
        }
    }
}

extension TrainingConfiguration {
    /// ", bf16 matmuls (master weights f32)" when the run multiplies in another precision than f32, for the line
    /// that sums a run up.
    var precisionNote: String { matmulPrecision == .f32 ? "" : ", \(matmulPrecision) matmuls (master weights f32)" }
}
