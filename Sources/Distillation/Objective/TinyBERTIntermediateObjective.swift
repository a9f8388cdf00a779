import Models
import Tensors
import Training

/// TinyBERT's intermediate-layer task stage (Jiao et al. 2020, §3.3 and §4.2): the general stage's losses, now
/// against the fine-tuned teacher: Σ over student layers of MSE(attention scores) [`attention`] + Σ over the
/// embedding output and the student layers of MSE(W h_s + b, h_t) [`hidden_mse`], W a learned projection when the
/// widths differ. The classifier is not trained, so the run keeps its last student. Layer map: the requested
/// one, else TinyBERT's uniform map (``TinyBERTObjective/uniformLayerMap(studentLayers:teacherLayers:)``).
public struct TinyBERTIntermediateObjective: TaskObjective {
    public init() {}

    public var name: String { "tinybert intermediate" }
    public var trainsClassifier: Bool { false }

    public func usesEncoderOutputs(_ settings: TaskDistillationSettings) -> Bool { true }

    public func layerMap(
        requested: [Int]?, settings: TaskDistillationSettings, student: ModelConfig, teacher: ModelConfig,
        studentConfigPath: String
    ) throws(TaskDistillationError) -> [Int] {
        let map = requested ?? TinyBERTObjective.uniformLayerMap(studentLayers: student.layerCount, teacherLayers: teacher.layerCount)
        try LayerMapping.check(map, source: requested == nil ? .term("tinybert") : .requested, student: student, teacher: teacher)
        return map
    }

    public func objective(
        _ settings: TaskDistillationSettings, layerMap: [Int], student: ModelConfig, teacher: ModelConfig,
        generator: RandomGenerator
    ) -> DistillationObjective {
        DistillationObjective([
            .init(1, AttentionScoreMSE(teacherLayers: layerMap)),
            .init(1, HiddenStateMSE(teacherLayers: layerMap, includingEmbeddings: true, student: student, teacher: teacher,
                                    generator: generator)),
        ])
    }

    /// Constant learning rate 5e-5 without warm-up (TinyBERT's intermediate stage: batch 32, lr 5e-5).
    public func applyRecipe(to configuration: inout TrainingConfiguration) {
        configuration.learningRate = 5e-5
        configuration.warmupRatio = 0
        configuration.decaysLearningRate = false
    }
}
