/// Maps labels as written in a file to ``Label`` values: class indices through a ``ClassLayout``, or for
/// regression finite `Float`s.
struct LabelResolver {
    enum Mode {
        case regression
        case classification(ClassLayout)
    }

    let mode: Mode
    /// Whether an empty label (and, for classification, the Hub's "-1" placeholder for unlabelled test
    /// splits) means "no label" instead of an error.
    let labelsOptional: Bool

    /// The resolver for a file whose labels as written are `labels`: through `labelSet` if one is given, else
    /// through the classes the labels imply.
    init(task: TaskKind, labelSet: LabelSet?, labels: some Sequence<RawLabel>, labelsOptional: Bool) {
        self.labelsOptional = labelsOptional
        switch (task, labelSet) {
        case (.regression, _):
            mode = .regression
        case (.classification, let labelSet?):
            mode = .classification(.given(labelSet))
        case (.classification, nil):
            let names = labels.lazy.compactMap(Self.className).filter { name in
                !name.isEmpty && !(labelsOptional && name == "-1")
            }
            mode = .classification(.implied(byLabels: names))
        }
    }

    /// The class names labels are mapped through; `nil` for regression and for a file without usable labels.
    var labelSet: LabelSet? {
        guard case .classification(let layout) = mode else { return nil }
        return layout.labelSet
    }

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
        case .classification(let layout):
            guard let name = Self.className(raw) else { throw .unparsableLabel(Self.written(raw)) }
            if labelsOptional && (name.isEmpty || name == "-1") { return nil }
            guard !name.isEmpty else { throw .unparsableLabel("") }
            return .classIndex(try layout.index(of: name))
        }
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
