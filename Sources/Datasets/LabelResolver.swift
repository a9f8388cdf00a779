/// Maps labels as written in a file to ``Label`` values.
///
/// Classification labels are looked up by name in the label set first, so a set whose names look like numbers
/// (for example star ratings "1"..."5") maps by name; otherwise an integer-looking label is a class index.
/// Regression labels are parsed as finite `Float`s.
struct LabelResolver {
    enum Mode {
        case regression
        case classification(LabelSet?)
    }

    let mode: Mode
    /// Whether an empty label (and, for classification, the Hub's "-1" placeholder for unlabelled test
    /// splits) means "no label" instead of an error.
    let labelsOptional: Bool

    /// The label for `raw`; `nil` when the row has no label and labels are optional.
    func resolve(_ raw: RawLabel?) throws(DatasetError.Reason) -> Label? {
        guard let raw else { return nil }
        switch mode {
        case .regression:
            let value: Float?
            switch raw {
            case .number(let number): value = Float(number)
            case .text(let text):
                let trimmed = text.trimmingWhitespace()
                if trimmed.isEmpty && labelsOptional { return nil }
                value = Float(trimmed)
            }
            guard let value, value.isFinite else { throw .unparsableLabel(Self.written(raw)) }
            return .value(value)
        case .classification(let labelSet):
            guard let name = Self.className(raw) else { throw .unparsableLabel(Self.written(raw)) }
            if labelsOptional && (name.isEmpty || name == "-1") { return nil }
            if let index = labelSet?.index(of: name) { return .classIndex(index) }
            if let index = Int(name) {
                let classCount = labelSet?.count ?? 0
                guard (0..<classCount).contains(index) else {
                    throw .labelIndexOutOfRange(index, classCount: classCount)
                }
                return .classIndex(index)
            }
            guard !name.isEmpty else { throw .unparsableLabel("") }
            throw .unknownLabel(name, known: labelSet?.names ?? [])
        }
    }

    /// The label set implied by the labels of a file: the sorted distinct non-integer names if there are any
    /// (as Hugging Face's `run_glue` sorts label names), otherwise class names "0"..."max index".
    /// `nil` if the file has no usable labels.
    static func labelSet(builtFrom labels: some Sequence<RawLabel>) -> LabelSet? {
        var names = Set<String>()
        var maxIndex = -1
        for label in labels {
            guard let name = className(label), !name.isEmpty else { continue }
            if let index = Int(name) {
                maxIndex = max(maxIndex, index)
            } else {
                names.insert(name)
            }
        }
        let ordered = names.isEmpty ? (0..<(maxIndex + 1)).map(String.init) : names.sorted()
        return try? LabelSet(names: ordered)
    }

    /// The text a classification label is matched by: the trimmed string, or an integral number written as an
    /// integer; `nil` for a non-integral number.
    private static func className(_ raw: RawLabel) -> String? {
        switch raw {
        case .text(let text):
            return text.trimmingWhitespace()
        case .number(let number):
            guard number == number.rounded(), abs(number) < 1e15 else { return nil }
            return String(Int(number))
        }
    }

    private static func written(_ raw: RawLabel) -> String {
        switch raw {
        case .text(let text): return text
        case .number(let number): return String(number)
        }
    }
}
