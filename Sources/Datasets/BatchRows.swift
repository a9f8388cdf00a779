/// Labels that can be cut by rows, so that a batch can be shared out among the processes of a data-parallel
/// run. A new kind of labels opts in by conforming.
public protocol RowSplittableLabels: BatchLabels {
    /// The labels of rows `rows` of a batch of `batchSize` rows.
    func rows(_ rows: Range<Int>, of batchSize: Int) -> Self
}

extension ClassLabels: RowSplittableLabels {
    public func rows(_ rows: Range<Int>, of batchSize: Int) -> ClassLabels { ClassLabels(Array(classIndices[rows])) }
}

extension RegressionTargets: RowSplittableLabels {
    public func rows(_ rows: Range<Int>, of batchSize: Int) -> RegressionTargets { RegressionTargets(Array(values[rows])) }
}

extension SpanLabels: RowSplittableLabels {
    public func rows(_ rows: Range<Int>, of batchSize: Int) -> SpanLabels {
        SpanLabels(starts: Array(starts[rows]), ends: Array(ends[rows]))
    }
}

extension TokenLabels: RowSplittableLabels {
    public func rows(_ rows: Range<Int>, of batchSize: Int) -> TokenLabels {
        let width = ids.count / batchSize
        return TokenLabels(Array(ids[rows.lowerBound * width..<rows.upperBound * width]))
    }
}

extension Batch {
    /// Rows `rows` (within `0..<batchSize`) as a batch of their own, padded to the same length; `nil` if the
    /// labels are not ``RowSplittableLabels``.
    public func rows(_ rows: Range<Int>) -> Batch? {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= batchSize, "rows \(rows) of a batch of \(batchSize)")
        var labelRows: (any BatchLabels)?
        if let labels {
            guard let splittable = labels as? any RowSplittableLabels else { return nil }
            labelRows = splittable.rows(rows, of: batchSize)
        }
        let positions = rows.lowerBound * sequenceLength..<rows.upperBound * sequenceLength
        let attentionMask = Array(self.attentionMask[positions])
        return Batch(
            batchSize: rows.count, sequenceLength: sequenceLength, ids: Array(ids[positions]),
            typeIds: Array(typeIds[positions]), attentionMask: attentionMask, labels: labelRows,
            exampleIndices: Array(exampleIndices[rows]), tokenCount: attentionMask.reduce(0) { $0 + Int($1) })
    }
}
