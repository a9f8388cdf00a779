/// Pads SQuAD windows and attaches their answer positions as ``SpanLabels``, looked up by each window's
/// ``TokenizedExample/index``.
public struct SpanCollator: Collator {
    public let padId: Int32
    /// The start and end token of each window, indexed by the window's index.
    public let starts: [Int32]
    public let ends: [Int32]

    /// A collator for `features`, numbered `0..<features.count` as ``SquadFeaturizer`` numbers them.
    public init(features: [SquadFeature], padId: Int32) {
        precondition(features.enumerated().allSatisfy { $0.offset == $0.element.tokens.index }, "windows must be numbered in order from 0")
        self.padId = padId
        starts = features.map { Int32($0.startPosition) }
        ends = features.map { Int32($0.endPosition) }
    }

    public func collate(_ examples: [TokenizedExample]) -> Batch {
        let labels = SpanLabels(starts: examples.map { starts[$0.index] }, ends: examples.map { ends[$0.index] })
        return Batch(padding: examples, padId: padId, labels: labels)
    }
}
