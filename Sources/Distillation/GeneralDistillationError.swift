/// A setting of general distillation, as errors name it.
public enum GeneralDistillationSetting: String, Sendable, CaseIterable, CustomStringConvertible {
    case temperature, ceWeight, mlmWeight, cosineWeight, attentionWeight, hiddenWeight, relationHeads, relationLayer
    /// ``GeneralDistillationRequest/lengthGroupingPool``.
    case lengthGroupingPool

    public var description: String {
        switch self {
        case .temperature: "the temperature"
        case .ceWeight: "the weight of the vocabulary KL (alpha_ce)"
        case .mlmWeight: "the weight of the student's masked-LM loss (alpha_mlm)"
        case .cosineWeight: "the weight of the hidden-state cosine loss (alpha_cos)"
        case .attentionWeight: "the weight of the attention-score MSE"
        case .hiddenWeight: "the weight of the hidden-state MSE"
        case .relationHeads: "the number of relation heads"
        case .relationLayer: "the teacher layer of the relations"
        case .lengthGroupingPool: "the number of batches grouped by length"
        }
    }
}

/// Why a general-distillation run cannot be prepared, in the words of the data and the models.
public enum GeneralDistillationError: Error, Sendable, Equatable, CustomStringConvertible {
    case noCorpus
    case invalidStepCount(Int)
    case invalidSetting(GeneralDistillationSetting, String)
    /// The objective compares masked-LM predictions, but the teacher checkpoint has no (trained) masked-LM head.
    case teacherHasNoMaskedLanguageModelHead(directory: String, objective: String)
    /// Held-out masked-token accuracy needs a student with a masked-LM head, which this objective does not train.
    case heldOutNeedsMaskedLanguageModel(objective: String)
    /// The held-out file yields no sequence to evaluate.
    case noHeldOutText(file: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .noCorpus: "no corpus file to distil on"
        case .invalidStepCount(let steps): "the number of updates must be at least 1, got \(steps)"
        case .invalidSetting(let setting, let rule): "\(setting) \(rule)"
        case .teacherHasNoMaskedLanguageModelHead(let directory, let objective):
            "\(directory): the teacher has no masked-LM head, which the \(objective) objective compares; train one first"
        case .heldOutNeedsMaskedLanguageModel(let objective):
            "the \(objective) objective trains no masked-LM head, so there is no masked-token accuracy to evaluate"
        case .noHeldOutText(let file): "\(file): no held-out text to evaluate on"
        case .writeFailed(let path, let reason): "\(path): cannot write (\(reason))"
        }
    }
}
