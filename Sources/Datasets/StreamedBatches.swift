import Foundation

/// Batches of a ``TokenSequenceStream`` (a corpus larger than memory), `batchSize` sequences each, made by a
/// ``Collator`` (for pretraining, ``MaskedLanguageModelCollator``).
///
/// An "epoch" is `batchesPerEpoch` batches; epochs follow each other through the corpus, which starts over from
/// its beginning whenever it is exhausted, so a run can take any number of steps over a corpus of any size. The
/// stream's position is the source's ``savedState()``.
public final class StreamedBatches: BatchSource {
    public let batchSize: Int
    public let batchesPerEpoch: Int
    public let collator: any Collator
    private let openStream: (TokenStreamPosition?) throws -> TokenSequenceStream
    private var stream: TokenSequenceStream?
    private var restoredPosition: TokenStreamPosition?

    /// - Parameter openStream: Opens the corpus at a saved position, or at its start for `nil`.
    public init(
        batchSize: Int, batchesPerEpoch: Int, collator: any Collator,
        openStream: @escaping (TokenStreamPosition?) throws -> TokenSequenceStream
    ) {
        precondition(batchSize > 0 && batchesPerEpoch > 0, "batch size and batches per epoch must be positive")
        self.batchSize = batchSize
        self.batchesPerEpoch = batchesPerEpoch
        self.collator = collator
        self.openStream = openStream
    }

    public var exampleCount: Int { batchSize * batchesPerEpoch }

    /// Opens the stream where the run stands: at the restored position, or at the start of the corpus for a run
    /// that starts afresh. Later seeks (each new epoch) continue the stream.
    public func seek(epoch: Int, batchIndex: Int) throws {
        guard stream == nil else { return }
        if restoredPosition == nil && (epoch, batchIndex) != (0, 0) {
            throw StreamedBatchesError.noSavedPosition(epoch: epoch, batchIndex: batchIndex)
        }
        stream = try openStream(restoredPosition)
    }

    public func nextBatch() throws -> Batch? {
        guard var current = stream else { return nil }
        var sequences: [TokenizedExample] = []
        var restarted = false
        while sequences.count < batchSize {
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
        return sequences.isEmpty ? nil : collator.collate(sequences)
    }

    public func savedState() throws -> Data? {
        try stream.map { try JSONEncoder().encode($0.position) }
    }

    public func restore(savedState: Data) throws {
        restoredPosition = try JSONDecoder().decode(TokenStreamPosition.self, from: savedState)
        stream = nil
    }
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
