import Models
import Tensors
import Training

/// TinyBERT's prediction-layer task stage (Jiao et al. 2020, eq. 10): the soft cross-entropy
/// −Σ softmax(z_t / T) · log_softmax(z_s / T) at T = 1 by default, no T² factor and no label term, so labelled and
/// unlabelled (augmented) rows train alike (``SoftCrossEntropy``, `soft_ce`); a regressor's outputs by MSE
/// (``LogitsMSE``). The best student on the dev set is kept.
public struct TinyBERTPredictionObjective: TaskObjective {
    public init() {}

    public var name: String { "tinybert prediction" }

    public func usesEncoderOutputs(_ settings: TaskDistillationSettings) -> Bool { false }

    public func layerMap(
        requested: [Int]?, settings: TaskDistillationSettings, student: ModelConfig, teacher: ModelConfig,
        studentConfigPath: String
    ) throws(TaskDistillationError) -> [Int] { [] }

    public func objective(
        _ settings: TaskDistillationSettings, layerMap: [Int], student: ModelConfig, teacher: ModelConfig,
        generator: RandomGenerator
    ) -> DistillationObjective {
        let term: any DistillationTerm = teacher.labelCount == 1
            ? LogitsMSE(name: "kd") : SoftCrossEntropy(temperature: settings.temperature)
        return DistillationObjective([.init(1, term)])
    }

    /// Peak learning rate 3e-5 with 10% linear warm-up, then linear decay (TinyBERT's prediction stage picked
    /// its rate from {1e-5, 2e-5, 3e-5}; its script warms up over 10% of the updates).
    public func applyRecipe(to configuration: inout TrainingConfiguration) {
        configuration.learningRate = 3e-5
        configuration.warmupRatio = 0.1
    }

    /// T = 1 (TinyBERT's prediction-layer loss).
    public func applyRecipe(to settings: inout TaskDistillationSettings) {
        settings.temperature = 1
    }
}
