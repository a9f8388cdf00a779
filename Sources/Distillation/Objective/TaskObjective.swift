import Models
import Tensors
import Training

/// How `distill task` trains a student against a fine-tuned teacher: which terms, which teacher layers they look
/// at, the schedule it was published with, and whether the student's classifier is trained (and so scored on the
/// dev set, the best student kept). Hinton/DistilBERT's task stage and TinyBERT's two task stages conform; a new
/// recipe is a new conforming type.
public protocol TaskObjective: Sendable {
    /// Its name in logs and errors.
    var name: String { get }
    /// Whether its terms compare encoder outputs, so that the teacher runs at every step (no logits cache).
    func usesEncoderOutputs(_ settings: TaskDistillationSettings) -> Bool
    /// The teacher layer of each student layer for its layer-wise terms (empty when it has none): `requested`
    /// if given, else its own rule; `studentConfigPath` names the student's config in errors.
    func layerMap(
        requested: [Int]?, settings: TaskDistillationSettings, student: ModelConfig, teacher: ModelConfig,
        studentConfigPath: String
    ) throws(TaskDistillationError) -> [Int]
    /// Its terms for these two models (learned projections drawn from `generator`).
    func objective(
        _ settings: TaskDistillationSettings, layerMap: [Int], student: ModelConfig, teacher: ModelConfig,
        generator: RandomGenerator
    ) -> DistillationObjective
    /// Whether it trains the student's classifier; if not, the run keeps its last student and skips dev scoring.
    var trainsClassifier: Bool { get }
    /// Sets the training defaults it was published with (the caller's explicit settings go on top).
    func applyRecipe(to configuration: inout TrainingConfiguration)
    /// Sets the loss settings it was published with (the caller's explicit settings go on top).
    func applyRecipe(to settings: inout TaskDistillationSettings)
}

extension TaskObjective {
    public var trainsClassifier: Bool { true }
    public func applyRecipe(to configuration: inout TrainingConfiguration) {}
    public func applyRecipe(to settings: inout TaskDistillationSettings) {}
}
