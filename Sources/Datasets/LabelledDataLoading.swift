/// Reads the labelled file of a classification or regression task, telling the two apart when the caller
/// does not say which it is.
public enum LabelledDataLoading {
    /// The kind of task a GLUE-style task name implies: STS-B is regression, the other GLUE tasks are
    /// classification; `nil` for no or an unknown name. Names are matched ignoring case and punctuation.
    public static func taskKind(named task: String?) -> TaskKind? {
        let name = (task ?? "").lowercased().filter { $0.isLetter || $0.isNumber }
        if name == "stsb" { return .regression }
        return classificationTasks.contains(where: name.hasPrefix) ? .classification : nil
    }

    /// GLUE's classification tasks (MNLI's matched/mismatched variants share the prefix).
    private static let classificationTasks = ["cola", "sst2", "mrpc", "qqp", "mnli", "qnli", "rte", "wnli", "hans"]

    /// Reads `path` as a task of kind `task`, or, when `task` is `nil`, as regression if every label is a number
    /// and at least one is not an integer (STS-B's 0-5 scores), else as classification (integer labels such as
    /// SST-2's 0/1 are class indices). A file whose labels are such scores but which has a malformed row is
    /// reported as a regression file with that row, not read as classes named "3.8", "4.2", ... When skipping bad
    /// rows, "every label" becomes "most labels": a file of names with one score-like label stays classification.
    ///
    /// - Parameters:
    ///   - labelSet: For classification, the class names to map labels through (a model's `id2label`, or the
    ///     training file's set when reading its dev file); `nil` builds the set from the file.
    ///   - skipBadRows: Leave malformed rows out and count them (see ``DatasetReadOptions/skipBadRows``).
    ///   - labelsOptional: An empty label (or no label column) means an unlabelled row, not an error.
    public static func read(
        path: String, task: TaskKind?, labelSet: LabelSet? = nil, skipBadRows: Bool = false, labelsOptional: Bool = false
    ) throws(DatasetError) -> LabelledDataset {
        func read(_ kind: TaskKind) throws(DatasetError) -> LabelledDataset {
            try LabelledTextReader.read(
                path: path,
                options: DatasetReadOptions(task: kind, labelSet: labelSet, labelsOptional: labelsOptional, skipBadRows: skipBadRows))
        }
        if let task { return try read(task) }
        let asRegression: LabelledDataset
        do {
            asRegression = try read(.regression)
        } catch {
            let asClassification = try read(.classification)
            // A class named like a fractional number is a score: this is a regression file with a bad row.
            let names = asClassification.labelSet?.names ?? []
            if names.contains(where: { name in Double(name).map { $0 != $0.rounded() } ?? false }) { throw error }
            return asClassification
        }
        let hasFraction = asRegression.examples.contains { example in
            if case .value(let value) = example.label { value != value.rounded() } else { false }
        }
        let mostlyNumbers = asRegression.skippedRows.count < asRegression.examples.count
        return hasFraction && mostlyNumbers ? asRegression : try read(.classification)
    }
}
