import Tensors

/// The hyperparameters of a training run. The defaults are those of a BERT-family fine-tuning run on a GLUE task;
/// each says where it comes from.
///
/// The micro-batch is `batchSize` examples; the optimizer steps once per `gradientAccumulation` micro-batches, so
/// the effective batch is `batchSize × gradientAccumulation` (Hugging Face's `per_device_train_batch_size` and
/// `gradient_accumulation_steps`).
public struct TrainingConfiguration: Sendable, Equatable {
    /// Passes over the training data. Default 3: Hugging Face `TrainingArguments.num_train_epochs`.
    public var epochs = 3
    /// Examples per micro-batch. Default 32: the project's SST-2 recipe (BERT's GLUE search used 16 and 32).
    public var batchSize = 32
    /// Micro-batches whose gradients are summed (each loss scaled by 1/accumulation) before one update. Default 1.
    public var gradientAccumulation = 1
    /// Peak learning rate. Default 5e-5: Hugging Face `TrainingArguments.learning_rate`, the top of BERT's
    /// {2, 3, 5}e-5 grid.
    public var learningRate: Float = 5e-5
    /// Fraction of the updates spent warming the rate up linearly from 0; it then decays linearly to 0.
    /// Default 0.06: the project's SST-2 recipe (RoBERTa's GLUE fine-tuning warm-up).
    public var warmupRatio = 0.06
    /// Whether the rate decays linearly to 0 after the warm-up; `false` keeps it at the peak (TinyBERT's
    /// intermediate-layer stage). Default true.
    public var decaysLearningRate = true
    /// AdamW's decoupled weight decay, applied to all but biases and LayerNorm weights (the BERT groups).
    /// Default 0.01: BERT.
    public var weightDecay: Float = 0.01
    /// AdamW's decay rate of the second moments. Default 0.999: BERT (DistilBERT's general distillation uses 0.98).
    public var adamBeta2: Float = 0.999
    /// AdamW's ε. Default 1e-8: BERT (DistilBERT's general distillation uses 1e-6).
    public var adamEpsilon: Float = 1e-8
    /// Gradients are scaled so that their global L2 norm is at most this; `nil` does not clip.
    /// Default 1.0: Hugging Face `TrainingArguments.max_grad_norm`.
    public var maxGradNorm: Float? = 1.0
    /// Seeds the model's fresh weights and dropout (through the caller's `RandomGenerator`) and the data order.
    /// Default 42: Hugging Face `TrainingArguments.seed`.
    public var seed: UInt64 = 42
    /// A cap on the number of updates (`nil`: as many as the epochs take). The schedule is laid out over the
    /// capped number, so a capped run warms up and decays fully.
    public var maxSteps: Int?
    /// The longest tokenized example, special tokens included. Default 128: Hugging Face `run_glue.py`'s
    /// `max_seq_length`.
    public var maxLength = 128
    /// Evaluate every this many updates; `nil` evaluates at the end of each epoch (Hugging Face's
    /// `eval_strategy="epoch"`). The last update is always followed by an evaluation.
    public var evaluateEvery: Int?
    /// Write a resumable checkpoint every this many updates; `nil` writes one only when stopped early.
    public var saveEvery: Int?
    /// Log the training loss to `metrics.jsonl` every this many updates. Default 50 (ours: about 40 lines an
    /// epoch on SST-2).
    public var logEvery = 50
    /// Batch examples of similar length together (Hugging Face's `group_by_length`), which wastes less compute
    /// on padding; otherwise batches are drawn from a fresh shuffle each epoch.
    public var groupByLength = false
    /// The precision of the trained modules' linear-layer products, forward and backward (`bf16`: mixed
    /// precision, on a CPU with AVX512-BF16 or AMX). The weights, their gradients, AdamW's moments, LayerNorm,
    /// softmax, the losses and every reduction stay f32 whichever it is. Default f32.
    public var matmulPrecision = MatmulPrecision.f32
    /// With several processes, whether the gradient all-reduce starts summing buckets during the backward pass
    /// (PyTorch DDP's overlap) rather than after it. Default true (README, Data-parallel training: measured).
    public var overlapsCommunication = true
    /// With several processes, the gradients summed per all-reduce call, in floats (small tensors are packed
    /// together; a larger one is summed on its own). Default 2^20 (4 MiB): large enough that bandwidth, not each
    /// call's latency, dominates; PyTorch DDP's `bucket_cap_mb` is 25 for networks of GPUs.
    public var allReduceBucketFloats = 1 << 20

    /// The defaults above.
    public init() {}

    /// Checks that every value is in range and that `cpu` can multiply in `matmulPrecision`, naming the setting
    /// at fault.
    public func validate(on cpu: CPUFeatures = .oneDNN) throws(TrainingError) {
        func require(_ condition: Bool, _ setting: TrainingSetting, _ rule: String) throws(TrainingError) {
            if !condition { throw .invalidSetting(setting, rule) }
        }
        try require(epochs > 0, .epochs, "must be at least 1")
        try require(batchSize > 0, .batchSize, "must be at least 1")
        try require(gradientAccumulation > 0, .gradientAccumulation, "must be at least 1")
        try require(learningRate > 0 && learningRate.isFinite, .learningRate, "must be a positive number")
        try require((0..<1).contains(warmupRatio), .warmupRatio, "must be in [0, 1)")
        try require(weightDecay >= 0 && weightDecay.isFinite, .weightDecay, "must not be negative")
        try require((0..<1).contains(adamBeta2), .adamBeta2, "must be in [0, 1)")
        try require(adamEpsilon > 0 && adamEpsilon.isFinite, .adamEpsilon, "must be a positive number")
        try require(maxGradNorm.map { $0 > 0 && $0.isFinite } ?? true, .maxGradNorm, "must be positive")
        try require(maxSteps.map { $0 > 0 } ?? true, .maxSteps, "must be at least 1")
        try require(maxLength >= 2, .maxLength, "must be at least 2 (room for [CLS] and [SEP])")
        try require(allReduceBucketFloats > 0, .allReduceBucket, "must hold at least one gradient value")
        try require(evaluateEvery.map { $0 > 0 } ?? true, .evaluateEvery, "must be at least 1")
        try require(saveEvery.map { $0 > 0 } ?? true, .saveEvery, "must be at least 1")
        try require(logEvery > 0, .logEvery, "must be at least 1")
        if let missing = matmulPrecision.missingSupport(on: cpu) { throw .invalidSetting(.matmulPrecision, "cannot run on this CPU: \(missing)") }
    }

    /// The settings that shape the trajectory of the weights; a checkpoint can only be resumed by a run that
    /// agrees on all of them. (How often to evaluate, save or log may change between the two.)
    var trajectorySettings: [String: String] {
        [
            "epochs": "\(epochs)", "batch_size": "\(batchSize)", "gradient_accumulation": "\(gradientAccumulation)",
            "learning_rate": "\(learningRate)", "warmup_ratio": "\(warmupRatio)", "weight_decay": "\(weightDecay)",
            "max_grad_norm": maxGradNorm.map { "\($0)" } ?? "none", "seed": "\(seed)",
            "max_steps": maxSteps.map(String.init) ?? "none", "max_length": "\(maxLength)",
            "group_by_length": "\(groupByLength)", "adam_beta2": "\(adamBeta2)", "adam_epsilon": "\(adamEpsilon)",
            "lr_decay": decaysLearningRate ? "linear" : "none", "matmul_precision": matmulPrecision.rawValue,
        ]
    }

    /// The values of trajectory settings that checkpoints written before they existed do not record.
    static let unrecordedTrajectorySettings = [
        "adam_beta2": "\(Float(0.999))", "adam_epsilon": "\(Float(1e-8))", "lr_decay": "linear",
        "matmul_precision": MatmulPrecision.f32.rawValue,
    ]
}

/// A setting of ``TrainingConfiguration``, as errors name it.
public enum TrainingSetting: String, Sendable, CaseIterable, CustomStringConvertible {
    case epochs, batchSize, gradientAccumulation, learningRate, warmupRatio, weightDecay, adamBeta2, adamEpsilon, maxGradNorm, maxSteps
    case maxLength, evaluateEvery, saveEvery, logEvery, matmulPrecision, allReduceBucket

    public var description: String {
        switch self {
        case .epochs: "the number of epochs"
        case .batchSize: "the batch size"
        case .gradientAccumulation: "the number of micro-batches per update"
        case .learningRate: "the learning rate"
        case .warmupRatio: "the warm-up ratio"
        case .weightDecay: "the weight decay"
        case .adamBeta2: "Adam's beta2"
        case .adamEpsilon: "Adam's epsilon"
        case .maxGradNorm: "the bound on the gradient norm"
        case .maxSteps: "the maximum number of updates"
        case .maxLength: "the maximum sequence length"
        case .evaluateEvery: "the number of updates between evaluations"
        case .saveEvery: "the number of updates between checkpoints"
        case .logEvery: "the number of updates between log lines"
        case .matmulPrecision: "the matmul precision"
        case .allReduceBucket: "the all-reduce bucket size"
        }
    }
}
