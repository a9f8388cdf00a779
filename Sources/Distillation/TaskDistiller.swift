import Datasets
import Evaluation
import Models
import Tensors
import Training

/// The per-batch loss of distillation, to hand to the ``Trainer`` as its loss closure: the student's forward
/// pass, the teacher's outputs (its cached logits when there are some and no term needs encoder outputs, else a
/// forward pass in evaluation mode without gradients) and a ``DistillationObjective`` over both.
public final class TaskDistiller {
    public let teacher: any DistillableModel
    public let student: any DistillableModel
    public let objective: DistillationObjective
    /// The teacher's logits on the training set, if precomputed.
    public let cachedLogits: TeacherLogits?
    /// How many batches the teacher was run on (0 throughout a run served by the cache).
    public private(set) var teacherForwardPasses = 0

    /// Checks that the two models can be paired: same vocabulary size, number and shapes of outputs (and of the
    /// cached logits), and whatever each
    /// term needs (``DistillationTerm/checkPairing(student:teacher:)``). Puts the teacher in evaluation mode
    /// (dropout off) for good.
    public init(teacher: any DistillableModel, student: any DistillableModel, objective: DistillationObjective,
                cachedLogits: TeacherLogits?) throws(TaskDistillationError)
    {
        let (t, s) = (teacher.config, student.config)
        guard t.vocabSize == s.vocabSize else {
            throw .incompatible("the teacher's vocab_size is \(t.vocabSize) and the student's \(s.vocabSize): they must share a tokenizer")
        }
        guard t.labelCount == s.labelCount else {
            throw .incompatible("the teacher has \(t.labelCount) output(s) and the student \(s.labelCount)")
        }
        func listed(_ shapes: [LogitShape]) -> String { shapes.map(\.description).joined(separator: ", ") }
        guard teacher.logitShapes == student.logitShapes else {
            throw .incompatible("the teacher's outputs are \(listed(teacher.logitShapes)) and the student's \(listed(student.logitShapes))")
        }
        if let cachedLogits, cachedLogits.shapes != teacher.logitShapes {
            throw .incompatible("the cached teacher logits are \(listed(cachedLogits.shapes)), the teacher's outputs \(listed(teacher.logitShapes))")
        }
        try objective.checkPairing(student: s, teacher: t)
        self.teacher = teacher
        self.student = student
        self.objective = objective
        self.cachedLogits = cachedLogits
        teacher.setTraining(false)
    }

    /// The teacher layer of each student layer: `requested` if given, else what ``StudentInitialization`` recorded
    /// in the student's config (``ModelConfig/distillTeacherLayers``; `studentConfigPath` names that file in
    /// errors). Checked as the layer-wise terms need: one in-range teacher layer per student layer, and equal
    /// widths unless the term compares them through a learned projection (`projected`).
    public static func layerMap(
        requested: [Int]?, student: ModelConfig, teacher: ModelConfig, studentConfigPath: String, projected: Bool = false
    ) throws(TaskDistillationError) -> [Int] {
        let source: LayerMapSource = requested == nil ? .recorded(configPath: studentConfigPath) : .requested
        guard let layerMap = requested ?? student.distillTeacherLayers else { throw .noRecordedLayerMap(configPath: studentConfigPath) }
        guard projected || teacher.hiddenSize == student.hiddenSize else {
            throw .widthMismatch(student: student.hiddenSize, teacher: teacher.hiddenSize)
        }
        try LayerMapping.check(layerMap, source: source, student: student, teacher: teacher)
        return layerMap
    }

    /// The loss on one training batch (the ``Trainer``'s `loss` closure).
    public func loss(_ batch: Batch) throws -> TrainingLoss {
        let input = EncoderInput(batch)
        let options = objective.encoderOutputs
        let studentOutputs = student.distillationOutputs(input, options: options)
        let teacherOutputs: ModelOutputs
        if let cachedLogits, !objective.needsTeacherEncoder {
            teacherOutputs = ModelOutputs(logits: try cachedLogits.outputs(for: batch))
        } else {
            teacherOutputs = withoutGrad { teacher.distillationOutputs(input, options: options) }
            teacherForwardPasses += 1
        }
        return try objective(DistillationPair(batch: batch, student: studentOutputs, teacher: teacherOutputs))
    }
}
