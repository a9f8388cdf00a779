import Datasets

/// One process's rows of a global batch in a data-parallel run: process r of N takes the r-th of N consecutive,
/// near-equal parts (exactly `batchSize` rows each when the global batch is full). The trainer weights each term
/// of the share's loss by the share's part of the term's ``LossNormalizer`` count.
struct BatchShare {
    /// This process's rows, `nil` when the global batch has fewer rows than processes and none fell to it.
    let batch: Batch?
    /// This process's rows of the global batch.
    let rows: Range<Int>

    init(of global: Batch, group: any ProcessGroup) throws(TrainingError) {
        guard group.size > 1 else {
            (batch, rows) = (global, 0..<global.batchSize)
            return
        }
        let rows = global.batchSize * group.rank / group.size..<global.batchSize * (group.rank + 1) / group.size
        self.rows = rows
        guard !rows.isEmpty else {
            batch = nil
            return
        }
        guard let part = global.rows(rows) else {
            throw .unsplittableLabels(kind: global.labels.map { "\(type(of: $0))" } ?? "none")
        }
        batch = part
    }
}
