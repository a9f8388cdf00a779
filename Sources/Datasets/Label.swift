/// Whether a task predicts one of a fixed set of classes or a real number.
public enum TaskKind: String, Sendable, CaseIterable {
    /// Labels are class indices (for example SST-2, CoLA, MNLI).
    case classification
    /// Labels are real numbers (for example STS-B similarity scores).
    case regression
}

/// The target of one example.
public enum Label: Sendable, Hashable {
    /// A class index in `0..<classCount` of the task's ``LabelSet``.
    case classIndex(Int)
    /// A real-valued target for regression tasks.
    case value(Float)
}
