import Models
import Tensors
import Training

/// Hinton et al.'s distillation as DistilBERT's task stage uses it: α · T² · KL(p_t ‖ p_s) + (1 − α) · CE(z_s, y)
/// (MSEs for a regressor), plus the optional logits MSE, hidden-state cosine and hidden-state MSE of
/// ``TaskDistillationSettings`` (see ``DistillationObjective/task(_:layerMap:student:teacher:generator:)``).
/// Trains with the fine-tuning defaults of ``TrainingConfiguration``.
public struct HintonTaskObjective: TaskObjective {
    public init() {}

    public var name: String { "hinton" }

    public func usesEncoderOutputs(_ settings: TaskDistillationSettings) -> Bool { settings.usesHiddenStates }

    /// The requested map, else the one the student's config records; none when no hidden-state term is on.
    public func layerMap(
        requested: [Int]?, settings: TaskDistillationSettings, student: ModelConfig, teacher: ModelConfig,
        studentConfigPath: String
    ) throws(TaskDistillationError) -> [Int] {
        guard settings.usesHiddenStates else { return [] }
        return try TaskDistiller.layerMap(
            requested: requested, student: student, teacher: teacher, studentConfigPath: studentConfigPath,
            projected: settings.allowsWidthMismatch)
    }

    public func objective(
        _ settings: TaskDistillationSettings, layerMap: [Int], student: ModelConfig, teacher: ModelConfig,
        generator: RandomGenerator
    ) -> DistillationObjective {
        .task(settings, layerMap: layerMap, student: student, teacher: teacher, generator: generator)
    }
}
