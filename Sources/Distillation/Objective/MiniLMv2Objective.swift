import Models
import Tensors
import Training

/// MiniLMv2's general distillation (Wang et al. 2021, "MiniLMv2: Multi-Head Self-Attention Relation Distillation
/// for Compressing Pretrained Transformers"): KL between the query-query, key-key and value-value relations of
/// one teacher layer and of the student's last layer, each split into the same number of relation heads, padding
/// excluded (``SelfAttentionRelation``, `relation`). Student and teacher widths and head counts may differ. Needs
/// no masked-LM head.
public struct MiniLMv2Objective: GeneralObjective {
    /// The teacher layer (from 0); `nil`: its last (the paper takes an upper-middle layer for large teachers and
    /// the last one for base-size ones).
    public var teacherLayer: Int?
    /// Relation heads; `nil`: the teacher's attention head count (the paper uses 48 for 768-wide teachers;
    /// it must divide both widths).
    public var relationHeads: Int?

    public init(teacherLayer: Int? = nil, relationHeads: Int? = nil) {
        self.teacherLayer = teacherLayer
        self.relationHeads = relationHeads
    }

    public var name: String { "minilmv2" }
    public var usesMaskedLanguageModel: Bool { false }

    public func validate() throws(GeneralDistillationError) {
        if let relationHeads, relationHeads < 1 { throw .invalidSetting(.relationHeads, "must be at least 1") }
        if let teacherLayer, teacherLayer < 0 { throw .invalidSetting(.relationLayer, "must not be negative") }
    }

    public func objective(student: any DistillableModel, teacher: any DistillableModel, generator: RandomGenerator)
        throws(TaskDistillationError) -> DistillationObjective
    {
        let term = try SelfAttentionRelation(
            student: student, teacher: teacher, studentLayer: student.config.layerCount - 1,
            teacherLayer: teacherLayer ?? teacher.config.layerCount - 1, relationHeads: relationHeads ?? teacher.config.headCount)
        return DistillationObjective([.init(1, term)])
    }

    /// MiniLMv2 §4.1: peak lr 6e-4 for small students, Adam β 0.9/0.999, warm-up 4,000 of 400,000 steps (1%),
    /// weight decay 0.01 (as BERT), clipping at 1.0, sequences of at most 512 tokens.
    public func applyRecipe(to configuration: inout TrainingConfiguration) {
        configuration.learningRate = 6e-4
        configuration.warmupRatio = 0.01
        configuration.weightDecay = 0.01
        configuration.maxGradNorm = 1
        configuration.maxLength = 512
    }
}
