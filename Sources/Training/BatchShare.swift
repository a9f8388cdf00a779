import Datasets

/// One process's rows of a global batch in a data-parallel run: process r of N takes the r-th of N consecutive,
/// near-equal parts (exactly `batchSize` rows each when the global batch is full).
///
/// A loss that is a mean over its rows, scaled by ``weight`` (the part's share of the rows) and summed over the
/// processes, is the mean over the global batch, so N processes follow the trajectory of one process with the
/// whole batch. (A mean over tokens, as masked language modelling takes, is weighted by rows all the same: the
/// result is then close to, not exactly, the single-process loss.)
struct BatchShare {
    /// This process's rows, `nil` when the global batch has fewer rows than processes and none fell to it.
    let batch: Batch?
    /// This process's fraction of the global batch's rows.
    let weight: Float
    /// This process's rows of the global batch.
    let rows: Range<Int>

    init(of global: Batch, group: any ProcessGroup) throws(TrainingError) {
        guard group.size > 1 else {
            (batch, weight, rows) = (global, 1, 0..<global.batchSize)
            return
        }
        let rows = global.batchSize * group.rank / group.size..<global.batchSize * (group.rank + 1) / group.size
        self.rows = rows
        weight = Float(rows.count) / Float(global.batchSize)
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
