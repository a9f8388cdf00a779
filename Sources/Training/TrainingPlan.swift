import NN

/// How many updates a run makes and at which learning rates, derived from the configuration and the size of
/// the training set.
///
/// An epoch has `ceil(examples / batchSize)` micro-batches (or as many as its batch source has) and `ceil(micro-batches / accumulation)` updates (its
/// last update may use fewer micro-batches). The warm-up takes `ceil(totalSteps × warmupRatio)` updates, as in
/// Hugging Face's `TrainingArguments.get_warmup_steps`.
public struct TrainingPlan: Sendable, Equatable {
    /// Micro-batches in one epoch.
    public let batchesPerEpoch: Int
    /// Optimizer updates in one epoch.
    public let updatesPerEpoch: Int
    /// Optimizer updates in the run: all epochs, or `maxSteps` if that is fewer.
    public let totalSteps: Int
    /// Updates during which the rate rises linearly from 0.
    public let warmupSteps: Int
    /// Epochs the run enters (fewer than configured when `maxSteps` cuts it short).
    public let epochCount: Int
    /// The peak learning rate.
    public let peakLearningRate: Float
    /// Whether the rate decays to 0 after the warm-up (else it stays at the peak).
    public let decaysLearningRate: Bool

    /// The plan for `exampleCount` training examples.
    public init(configuration: TrainingConfiguration, exampleCount: Int) {
        self.init(
            configuration: configuration,
            batchesPerEpoch: (exampleCount + configuration.batchSize - 1) / configuration.batchSize)
    }

    /// The plan for epochs of `batchesPerEpoch` micro-batches.
    public init(configuration: TrainingConfiguration, batchesPerEpoch: Int) {
        self.batchesPerEpoch = batchesPerEpoch
        updatesPerEpoch = (batchesPerEpoch + configuration.gradientAccumulation - 1) / configuration.gradientAccumulation
        let allEpochs = updatesPerEpoch * configuration.epochs
        totalSteps = configuration.maxSteps.map { min($0, allEpochs) } ?? allEpochs
        warmupSteps = Int((Double(totalSteps) * configuration.warmupRatio).rounded(.up))
        epochCount = updatesPerEpoch == 0 ? 0 : (totalSteps + updatesPerEpoch - 1) / updatesPerEpoch
        peakLearningRate = configuration.learningRate
        decaysLearningRate = configuration.decaysLearningRate
    }

    /// The linear warm-up then linear decay (or constant) schedule.
    public var schedule: LinearWarmupSchedule {
        LinearWarmupSchedule(peak: peakLearningRate, warmupSteps: warmupSteps, totalSteps: totalSteps, decays: decaysLearningRate)
    }

    /// The rate of the update made after `step` updates (so the first update, at step 0, uses rate 0 whenever
    /// there is a warm-up, as in transformers).
    public func learningRate(atStep step: Int) -> Float { schedule.rate(atStep: step) }
}
