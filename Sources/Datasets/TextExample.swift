/// One row of a labelled text file, before tokenization.
public struct TextExample: Sendable, Hashable {
    /// The text, or the first text of a pair (kept exactly as in the file).
    public var text: String
    /// The second text of a sentence-pair task, or `nil` for single-sentence tasks.
    public var textPair: String?
    /// The label, or `nil` when the file is read as unlabelled.
    public var label: Label?
    /// The 1-based line number where the row starts in its file (for messages).
    public var line: Int

    /// Creates an example.
    public init(text: String, textPair: String? = nil, label: Label?, line: Int) {
        self.text = text
        self.textPair = textPair
        self.label = label
        self.line = line
    }
}
