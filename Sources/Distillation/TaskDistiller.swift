import Datasets
import Evaluation
import Models
import Tensors
import Training

/// The per-batch objective of task-specific distillation, to hand to the ``Trainer`` as its loss closure:
/// the student's forward pass, the teacher's logits (from the cache when there is one and no hidden states are
/// needed, else a forward pass in evaluation mode without gradients) and ``TaskDistillationLoss``.
public final class TaskDistiller {
    public let teacher: SequenceClassifier
    public let student: SequenceClassifier
    public let objective: TaskDistillationLoss
    /// The teacher's logits on the training set, if precomputed.
    public let cachedLogits: TeacherLogits?
    /// How many batches the teacher was run on (0 throughout a run served by the cache).
    public private(set) var teacherForwardPasses = 0

    /// Checks that the two models can be paired: same vocabulary size and number of outputs; for the cosine
    /// loss, equal widths and a layer map with one in-range teacher layer per student layer. Puts the teacher in
    /// evaluation mode (dropout off) for good.
    public init(teacher: SequenceClassifier, student: SequenceClassifier, objective: TaskDistillationLoss, cachedLogits: TeacherLogits?)
        throws(TaskDistillationError)
    {
        let (t, s) = (teacher.config, student.config)
        guard t.vocabSize == s.vocabSize else {
            throw .incompatible("the teacher's vocab_size is \(t.vocabSize) and the student's \(s.vocabSize): they must share a tokenizer")
        }
        guard teacher.classifier.outputSize == student.classifier.outputSize else {
            throw .incompatible("the teacher has \(teacher.classifier.outputSize) output(s) and the student \(student.classifier.outputSize)")
        }
        if let cachedLogits, cachedLogits.width != teacher.classifier.outputSize {
            throw .incompatible("the cached teacher logits have \(cachedLogits.width) columns, the teacher \(teacher.classifier.outputSize) outputs")
        }
        if objective.settings.usesHiddenStates {
            try Self.checkHiddenStatePairing(layerMap: objective.layerMap, source: "layer map", student: s, teacher: t)
        }
        self.teacher = teacher
        self.student = student
        self.objective = objective
        self.cachedLogits = cachedLogits
        teacher.setTraining(false)
    }

    /// The teacher layer of each student layer: `option` (`--layer-map`) if given, else what `distill student`
    /// recorded in the student's config (``ModelConfig/distillTeacherLayers``). Checked as the cosine loss needs:
    /// equal widths, one in-range teacher layer per student layer.
    public static func layerMap(option: [Int]?, student: ModelConfig, teacher: ModelConfig, studentConfigPath: String)
        throws(TaskDistillationError) -> [Int]
    {
        let source = option == nil ? "\(studentConfigPath): \(StudentInitialization.teacherLayersKey)" : "--layer-map"
        let layerMap = option ?? student.distillTeacherLayers ?? []
        try checkHiddenStatePairing(layerMap: layerMap, source: source, student: student, teacher: teacher)
        return layerMap
    }

    private static func checkHiddenStatePairing(layerMap: [Int], source: String, student: ModelConfig, teacher: ModelConfig)
        throws(TaskDistillationError)
    {
        guard teacher.hiddenSize == student.hiddenSize else {
            throw .widthMismatch(student: student.hiddenSize, teacher: teacher.hiddenSize)
        }
        guard !layerMap.isEmpty else {
            throw .badLayerMap(source: source, reason: "the student records no teacher layers (it was not made by `distill student`); pass --layer-map")
        }
        guard layerMap.count == student.layerCount else {
            throw .badLayerMap(source: source, reason: "\(layerMap.count) teacher layer(s) for the student's \(student.layerCount) layers")
        }
        if let bad = layerMap.first(where: { !(0..<teacher.layerCount).contains($0) }) {
            throw .badLayerMap(source: source, reason: "layer \(bad) does not exist; the teacher has layers 0...\(teacher.layerCount - 1)")
        }
    }

    /// The loss on one training batch (the ``Trainer``'s `loss` closure).
    public func loss(_ batch: Batch) throws -> TrainingLoss {
        let input = EncoderInput(batch)
        let hidden = objective.settings.usesHiddenStates
        let options = EncoderOutputOptions(hiddenStates: hidden)
        let (studentLogits, studentOutput) = student(input, options: options)
        let teacherLogits: Tensor
        var teacherHidden: [Tensor] = []
        if let cachedLogits, !hidden {
            teacherLogits = try cachedLogits.rows(forExamples: batch.exampleIndices)
        } else {
            let output = withoutGrad { teacher(input, options: options) }
            teacherForwardPasses += 1
            teacherLogits = output.logits
            teacherHidden = output.encoder.hiddenStates
        }
        return try objective(student: studentLogits, teacher: teacherLogits, batch: batch,
                             studentHidden: studentOutput.hiddenStates, teacherHidden: teacherHidden)
    }
}
