/// Which columns (TSV/CSV header names, or JSON keys) hold the text, the optional second text and the label.
public struct ColumnNames: Sendable, Hashable {
    /// The column with the text (the first text of a pair).
    public var text: String
    /// The column with the second text of a pair, or `nil` for single-sentence data.
    public var textPair: String?
    /// The column with the label, or `nil` when the file has none (unlabelled data).
    public var label: String?

    /// Creates a column selection.
    public init(text: String, textPair: String? = nil, label: String?) {
        self.text = text
        self.textPair = textPair
        self.label = label
    }

    /// Text columns recognised without being named, tried in order. Pairs come first so that, for example,
    /// QNLI's `question`/`sentence` is not mistaken for a single-sentence `sentence` column.
    static let knownTextColumns: [(text: String, pair: String?)] = [
        ("sentence1", "sentence2"),  // RTE, MNLI, WNLI, STS-B, MRPC (GLUE on the Hub)
        ("question", "sentence"),  // QNLI
        ("question1", "question2"),  // QQP
        ("text", "text_pair"),
        ("premise", "hypothesis"),  // MNLI/SNLI exports
        ("#1 String", "#2 String"),  // MRPC as distributed by the GLUE download script
        ("sentence", nil),  // SST-2, CoLA
        ("text", nil),
    ]

    /// Label columns recognised without being named, tried in order.
    static let knownLabelColumns = ["label", "gold_label", "Quality"]

    /// Chooses the columns among `available`: overrides first, then the known names.
    ///
    /// A text column given without a pair column means single-sentence data. When `labelsOptional` is true a
    /// missing label column (named or not) is allowed and yields `label == nil`.
    static func resolve(
        available: [String], overrides: ColumnOverrides, labelsOptional: Bool
    ) throws(DatasetError.Reason) -> ColumnNames {
        let present = Set(available)
        func require(_ name: String) throws(DatasetError.Reason) -> String {
            guard present.contains(name) else { throw .missingColumn(name, available: available) }
            return name
        }

        let text: String
        var textPair: String?
        if let givenText = overrides.text {
            text = try require(givenText)
            if let givenPair = overrides.textPair { textPair = try require(givenPair) }
        } else {
            guard let known = knownTextColumns.first(where: { candidate in
                present.contains(candidate.text) && candidate.pair.map(present.contains) ?? true
            }) else { throw .noTextColumn(available: available) }
            text = known.text
            textPair = known.pair
            if let givenPair = overrides.textPair { textPair = try require(givenPair) }
        }

        var label: String?
        if let givenLabel = overrides.label {
            label = present.contains(givenLabel) ? givenLabel : nil
            if label == nil && !labelsOptional { throw .missingColumn(givenLabel, available: available) }
        } else {
            label = knownLabelColumns.first(where: present.contains)
            if label == nil && !labelsOptional { throw .noLabelColumn(available: available) }
        }
        return ColumnNames(text: text, textPair: textPair, label: label)
    }
}

/// Column names chosen by the caller (for example from `--text-column`); any left `nil` is detected from the
/// header using the GLUE conventions.
public struct ColumnOverrides: Sendable, Hashable {
    /// The text column; when given without `textPair`, the data is read as single-sentence.
    public var text: String?
    /// The second text column of a pair.
    public var textPair: String?
    /// The label column.
    public var label: String?

    /// Creates overrides; `nil` means "detect".
    public init(text: String? = nil, textPair: String? = nil, label: String? = nil) {
        self.text = text
        self.textPair = textPair
        self.label = label
    }
}
