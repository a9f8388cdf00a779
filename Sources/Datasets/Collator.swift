/// Turns a group of tokenized examples into one padded ``Batch`` with labels of its kind. A new kind of training
/// target is a new collator (and a new ``BatchLabels`` type), not a change to the batching code.
public protocol Collator: Sendable {
    /// The batch of `examples` (at least one), rows in that order.
    func collate(_ examples: [TokenizedExample]) -> Batch
}

/// Pads the examples and carries their own labels: ``ClassLabels`` for class indices, ``RegressionTargets`` for
/// values, none when no example has a label. Labelled examples must carry the same kind of label (``Batcher``
/// checks it); an unlabelled one among them gets ``ClassLabels/missing`` or a NaN target.
public struct PaddingCollator: Collator {
    /// The token id written at padding positions.
    public let padId: Int32

    public init(padId: Int32) {
        self.padId = padId
    }

    public func collate(_ examples: [TokenizedExample]) -> Batch {
        let labels: (any BatchLabels)?
        switch examples.lazy.compactMap(\.label).first {
        case nil:
            labels = nil
        case .classIndex:
            labels = ClassLabels(examples.map { if case .classIndex(let index) = $0.label { Int32(index) } else { ClassLabels.missing } })
        case .value:
            labels = RegressionTargets(examples.map { if case .value(let value) = $0.label { value } else { .nan } })
        }
        return Batch(padding: examples, padId: padId, labels: labels)
    }
}
