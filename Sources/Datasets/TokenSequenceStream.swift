import Foundation
import Tokenizers

/// How documents become sequences of at most the maximum length.
public enum SequencePacking: String, Sendable, Codable {
    /// Documents are concatenated and cut into full-length sequences (as transformers' `run_mlm.py` groups
    /// texts), so no position is wasted on padding; a sequence may span documents.
    case concatenate
    /// Each document is one sequence, its end cut off beyond the maximum length.
    case truncate
    /// Each document is one sequence or, when longer than the maximum length, several consecutive ones (as
    /// DistilBERT's data preparation splits long sequences); sequences never span documents.
    case split
}

/// Where a ``TokenSequenceStream`` stands: the corpus position and the tokens read but not yet emitted.
public struct TokenStreamPosition: Sendable, Codable, Equatable {
    /// After the last document read.
    public var corpus: CorpusPosition
    /// Tokens of documents already read, waiting for the next sequence (``SequencePacking/concatenate`` and
    /// ``SequencePacking/split``).
    public var pendingTokens: [Int32]
    /// Sequences emitted so far (the next one's ``TokenizedExample/index``).
    public var sequencesEmitted: Int
}

/// Tokenized sequences of a corpus larger than memory: `[CLS] tokens [SEP]`, at most `maxLength` long, made
/// from the documents of a ``TextCorpusReader`` as `packing` says. ``position`` can be saved (it is `Codable`)
/// and passed to ``init(url:boundary:tokenizer:maxLength:packing:skipInvalidLines:from:chunkSize:)`` to continue
/// with exactly the sequence that would have come next.
public final class TokenSequenceStream {
    public let tokenizer: any Tokenizer
    public let maxLength: Int
    public let packing: SequencePacking
    private let reader: TextCorpusReader
    private var pending: [Int32]
    private var emitted: Int

    /// Opens the corpus `url` at its start, or at `position` (saved from a stream of the same file and settings).
    public init(
        url: URL, boundary: DocumentBoundary = .line, tokenizer: any Tokenizer, maxLength: Int,
        packing: SequencePacking = .concatenate, skipInvalidLines: Bool = false, from position: TokenStreamPosition? = nil,
        chunkSize: Int = 1 << 16
    ) throws(CorpusError) {
        precondition(maxLength > 2, "a sequence needs room for [CLS], [SEP] and a token")
        reader = try TextCorpusReader(
            url: url, boundary: boundary, skipInvalidLines: skipInvalidLines, from: position?.corpus, chunkSize: chunkSize)
        self.tokenizer = tokenizer
        self.maxLength = maxLength
        self.packing = packing
        pending = position?.pendingTokens ?? []
        emitted = position?.sequencesEmitted ?? 0
    }

    /// Where the stream stands after the last sequence returned.
    public var position: TokenStreamPosition {
        TokenStreamPosition(corpus: reader.position, pendingTokens: pending, sequencesEmitted: emitted)
    }

    /// The next sequence (unlabelled, type ids 0), or `nil` when the corpus is exhausted.
    public func next() throws(CorpusError) -> TokenizedExample? {
        let capacity = maxLength - 2
        var body: [Int32]
        switch packing {
        case .concatenate:
            while pending.count < capacity, let document = try reader.nextDocument() {
                pending += tokens(of: document)
            }
            guard !pending.isEmpty else { return nil }
            body = Array(pending.prefix(capacity))
            pending.removeFirst(body.count)
        case .split:
            while pending.isEmpty {
                guard let document = try reader.nextDocument() else { return nil }
                pending = tokens(of: document)
            }
            body = Array(pending.prefix(capacity))
            pending.removeFirst(body.count)
        case .truncate:
            repeat {
                guard let document = try reader.nextDocument() else { return nil }
                body = Array(tokens(of: document).prefix(capacity))
            } while body.isEmpty
        }
        defer { emitted += 1 }
        return TokenizedExample(ids: [tokenizer.clsId] + body + [tokenizer.sepId], label: nil, index: emitted)
    }

    /// The ids of `document` without special tokens.
    private func tokens(of document: String) -> [Int32] {
        let encoding = tokenizer.encode(document, pair: nil, maxLength: nil, truncation: .longestFirst, padToMaxLength: false)
        return zip(encoding.ids, encoding.specialTokensMask).compactMap { $1 == 0 ? $0 : nil }
    }
}
