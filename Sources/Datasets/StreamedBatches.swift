import Foundation
import Tensors

/// Batches of a ``TokenSequenceStream`` (a corpus larger than memory), `batchSize` sequences each, made by a
/// ``Collator`` (for pretraining, ``MaskedLanguageModelCollator``).
///
/// An "epoch" is `batchesPerEpoch` batches; epochs follow each other through the corpus, which starts over from
/// its beginning whenever it is exhausted, so a run can take any number of steps over a corpus of any size. The
/// stream's position is the source's ``savedState()``.
///
/// **Length grouping.** With a `groupingPool` of n > 1, n batches' worth of sequences are read at a time, sorted
/// by length and cut into n batches, which are served in an order shuffled with `seed` and the pool's first
/// sequence number (DistilBERT's `group_by_size`, within a bounded window of the stream): less padding, same data.
/// The saved state is then the position where the pool started and how many of its batches were served; a
/// restored source reads that pool again.
public final class StreamedBatches: BatchSource {
    public let batchSize: Int
    public let batchesPerEpoch: Int
    public let collator: any Collator
    /// Batches read ahead and grouped by length (1: batches in stream order).
    public let groupingPool: Int
    private let seed: UInt64
    private let openStream: (TokenStreamPosition?) throws -> TokenSequenceStream
    private var stream: TokenSequenceStream?
    private var restored: SavedPool?
    /// The current pool: where it started (`nil`: at the start of the corpus), its batches in serving order and
    /// how many were served.
    private var pool = SavedPool(start: nil, served: 0)
    private var poolBatches: [[TokenizedExample]] = []

    /// - Parameter openStream: Opens the corpus at a saved position, or at its start for `nil`.
    public init(
        batchSize: Int, batchesPerEpoch: Int, collator: any Collator, groupingPool: Int = 1, seed: UInt64 = 0,
        openStream: @escaping (TokenStreamPosition?) throws -> TokenSequenceStream
    ) {
        precondition(batchSize > 0 && batchesPerEpoch > 0 && groupingPool > 0, "batch size, batches per epoch and pool must be positive")
        self.batchSize = batchSize
        self.batchesPerEpoch = batchesPerEpoch
        self.collator = collator
        self.groupingPool = groupingPool
        self.seed = seed
        self.openStream = openStream
    }

    public var exampleCount: Int { batchSize * batchesPerEpoch }

    /// Opens the stream where the run stands: at the restored position, or at the start of the corpus for a run
    /// that starts afresh. Later seeks (each new epoch) continue the stream.
    public func seek(epoch: Int, batchIndex: Int) throws {
        guard stream == nil else { return }
        if restored == nil && (epoch, batchIndex) != (0, 0) {
            throw StreamedBatchesError.noSavedPosition(epoch: epoch, batchIndex: batchIndex)
        }
        stream = try openStream(restored?.start)
        if let restored, groupingPool > 1 {
            try readPool()
            pool = restored
        }
        restored = nil
    }

    public func nextBatch() throws -> Batch? {
        guard stream != nil else { return nil }
        if groupingPool == 1 {
            let sequences = try readSequences(batchSize)
            return sequences.isEmpty ? nil : collator.collate(sequences)
        }
        if pool.served == poolBatches.count {
            pool.start = pool.start == nil && poolBatches.isEmpty ? nil : stream?.position
            try readPool()
        }
        guard pool.served < poolBatches.count else { return nil }
        defer { pool.served += 1 }
        return collator.collate(poolBatches[pool.served])
    }

    /// Reads the next pool from the stream, sorts it by length and cuts it into batches in serving order.
    private func readPool() throws {
        let sequences = try readSequences(batchSize * groupingPool)
        let sorted = sequences.enumerated().sorted { ($0.element.length, $0.offset) < ($1.element.length, $1.offset) }.map(\.element)
        poolBatches = stride(from: 0, to: sorted.count, by: batchSize).map { Array(sorted[$0..<min($0 + batchSize, sorted.count)]) }
        RandomGenerator(seed: seed &+ UInt64(sequences.first?.index ?? 0)).shuffle(&poolBatches)
        pool.served = 0
    }

    /// Up to `count` sequences, starting the corpus over when it is exhausted (fewer only for a corpus without a
    /// single sequence).
    private func readSequences(_ count: Int) throws -> [TokenizedExample] {
        guard var current = stream else { return [] }
        var sequences: [TokenizedExample] = []
        var restarted = false
        while sequences.count < count {
            if let sequence = try current.next() {
                sequences.append(sequence)
                restarted = false
            } else {
                guard !restarted else { break }  // a corpus without a single sequence
                // Exhausted: start the corpus over, the sequence numbers running on.
                var position = current.position
                position.corpus = CorpusPosition(file: position.corpus.file)
                position.pendingTokens = []
                current = try openStream(position)
                stream = current
                restarted = true
            }
        }
        return sequences
    }

    public func savedState() throws -> Data? {
        guard let stream else { return nil }
        return groupingPool == 1 ? try JSONEncoder().encode(stream.position) : try JSONEncoder().encode(pool)
    }

    public func restore(savedState: Data) throws {
        restored = groupingPool == 1
            ? SavedPool(start: try JSONDecoder().decode(TokenStreamPosition.self, from: savedState), served: 0)
            : try JSONDecoder().decode(SavedPool.self, from: savedState)
        stream = nil
    }
}

/// Where a pool of length-grouped batches started, and how many of its batches were served.
private struct SavedPool: Codable {
    var start: TokenStreamPosition?
    var served: Int
}

/// Why streamed batches cannot continue.
public enum StreamedBatchesError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A run asked to start mid-way without the stream position saved by the interrupted run.
    case noSavedPosition(epoch: Int, batchIndex: Int)

    public var description: String {
        switch self {
        case .noSavedPosition(let epoch, let batchIndex):
            "cannot continue a corpus stream at batch \(batchIndex + 1) of epoch \(epoch + 1) without its saved position"
        }
    }
}
