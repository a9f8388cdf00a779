/// One example after tokenization, ready for batching.
public struct TokenizedExample: Sendable, Hashable {
    /// Token ids, including special tokens such as `[CLS]` and `[SEP]`.
    public var ids: [Int32]
    /// Token type (segment) ids, one per token: 0 for the first text, 1 for the second.
    public var typeIds: [Int32]
    /// The label, or `nil` for unlabelled data.
    public var label: Label?
    /// The example's position in its dataset, carried into batches so predictions can be put back in order.
    public var index: Int

    /// Creates an example; `typeIds` defaults to all zeros.
    public init(ids: [Int32], typeIds: [Int32]? = nil, label: Label?, index: Int) {
        self.ids = ids
        self.typeIds = typeIds ?? [Int32](repeating: 0, count: ids.count)
        self.label = label
        self.index = index
    }

    /// The number of tokens.
    public var length: Int { ids.count }
}
