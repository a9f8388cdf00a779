import Foundation

/// How the rows of a product by packed weights are run: in one product, or in blocks of `RowSplitting.block`
/// rows; the `time` cases run the same way and report their time.
package enum RowSplit: Sendable, Equatable {
    case whole, blocks, timeWhole, timeBlocks

    package var isTrial: Bool { self == .timeWhole || self == .timeBlocks }
}

/// Chooses how the rows of a product by packed weights are run. oneDNN 2.6's AMX kernels are 2-6x slower for
/// some row counts than for their neighbours (on a Sapphire Rapids Xeon, u8 x s8 [1696 x 312] x [312 x 312] took
/// 2.0 ms, 1760 rows 0.37 ms, and VNNI 0.37 ms for either), while blocks of 512 rows ran at the best rate per row
/// at every count measured up to 2048 (TinyBERT's and MiniLM's widths, int8 and bf16; on SST-2 dev, 24-62%
/// more sentences per second). Above that one product was sometimes the faster (MiniLM's [4096 x 1536] x
/// [1536 x 384]), so there it is measured, not assumed: the first products of a shape try both ways (see
/// `record`) and the faster is kept for the rest of the process. The choice cannot change results: the two ways
/// differ only in which rows go together. `Problem` keys the choices (a matmul's shape, layouts and epilogue).
package final class RowSplitting<Problem: Hashable>: @unchecked Sendable {
    private struct Timings { var blocks: [UInt64] = [], whole: [UInt64] = [], chosen: RowSplit? }
    private var timings: [Problem: Timings] = [:]
    private let lock = NSLock()

    package init() {}

    /// How to run `problem`, one product over `rows` rows, now: in one piece up to a block, in blocks up to
    /// `alwaysInBlocks`, and beyond that blocks first, then the two ways in turn until `record` has chosen.
    package func choice(for problem: Problem, rows: Int) -> RowSplit {
        if rows <= RowBlocks.size { return .whole }
        if rows <= RowBlocks.alwaysInBlocks { return .blocks }
        lock.lock()
        defer { lock.unlock() }
        let timed = timings[problem] ?? Timings()
        if let chosen = timed.chosen { return chosen }
        return timed.blocks.count <= timed.whole.count ? .timeBlocks : .timeWhole
    }

    /// Records the time of a trial run of `problem` and chooses when it can: blocks at once when one product
    /// was the slower (so a slow row count costs one slow run), else after a second run of each, the faster
    /// (the fastest run of each counts: one run can be slowed by the machine).
    package func record(_ trial: RowSplit, nanoseconds: UInt64, for problem: Problem) {
        lock.lock()
        defer { lock.unlock() }
        var timed = timings[problem] ?? Timings()
        guard timed.chosen == nil else { return }
        if trial == .timeBlocks { timed.blocks.append(nanoseconds) } else { timed.whole.append(nanoseconds) }
        if let blocks = timed.blocks.min(), let whole = timed.whole.min(), timed.whole.count == timed.blocks.count {
            if whole >= blocks { timed.chosen = .blocks } else if timed.whole.count >= 2 { timed.chosen = .whole }
        }
        timings[problem] = timed
    }
}

/// The row blocks of ``RowSplitting``.
package enum RowBlocks {
    /// Rows per block.
    package static let size = 512
    /// Up to this many rows, blocks without trying one product.
    package static let alwaysInBlocks = 4 * size
}
