import Foundation
import Tokenizers

/// Several corpus files read as one endless stream of token sequences: the files in turn, from the first again
/// when all are exhausted. Its ``open(at:)`` is the `openStream` of ``StreamedBatches``, which reopens an exhausted
/// stream at the start of its file: that reopening is taken as the signal to move on to the next file. A saved
/// position is never at the start of its file (it follows at least one sequence read from it), so the two cannot
/// be confused.
public struct CorpusFiles: Sendable {
    /// The files' paths as ``CorpusPosition/file`` spells them.
    public let paths: [String]
    public let boundary: DocumentBoundary
    public let maxLength: Int
    public let packing: SequencePacking
    public let skipInvalidLines: Bool
    public let tokenizer: any Tokenizer

    /// The files at `paths` (at least one), cut into documents at `boundary` and into sequences of at most
    /// `maxLength` tokens as `packing` says.
    public init(
        paths: [String], boundary: DocumentBoundary, tokenizer: any Tokenizer, maxLength: Int,
        packing: SequencePacking = .concatenate, skipInvalidLines: Bool = false
    ) {
        precondition(!paths.isEmpty, "a corpus needs at least one file")
        self.paths = paths.map { URL(fileURLWithPath: $0).path }
        self.boundary = boundary
        self.tokenizer = tokenizer
        self.maxLength = maxLength
        self.packing = packing
        self.skipInvalidLines = skipInvalidLines
    }

    /// Opens every file once, so that a missing or empty one is reported now rather than when the stream reaches it.
    public func checkReadable() throws(CorpusError) {
        for path in paths {
            _ = try TextCorpusReader(url: URL(fileURLWithPath: path), boundary: boundary, skipInvalidLines: skipInvalidLines)
        }
    }

    /// Reads every file through once (no tokenization), so that a missing or empty file, or a line that is not
    /// UTF-8 text, is reported before training rather than when the stream reaches it. Returns, for each file,
    /// how many lines were skipped (always 0 unless ``skipInvalidLines``).
    public func validate() throws(CorpusError) -> [(file: String, skippedLines: Int)] {
        try paths.map { path throws(CorpusError) in
            let reader = try TextCorpusReader(url: URL(fileURLWithPath: path), boundary: boundary, skipInvalidLines: skipInvalidLines)
            while try reader.nextDocument() != nil {}
            return (path, reader.position.skippedLines)
        }
    }

    /// The stream at `position`: the first file's start for `nil`, the next file after a restart, else the
    /// position's own file where it stands.
    public func open(at position: TokenStreamPosition?) throws(CorpusError) -> TokenSequenceStream {
        let restart = isRestart(position)
        return try TokenSequenceStream(
            url: file(continuing: position, restart: restart), boundary: boundary, tokenizer: tokenizer, maxLength: maxLength,
            packing: packing, skipInvalidLines: skipInvalidLines, from: restart ? nil : position)
    }

    /// Whether `position` is the start of a file reached by exhausting the previous one.
    private func isRestart(_ position: TokenStreamPosition?) -> Bool {
        guard let position else { return false }
        return position.corpus.byteOffset == 0 && position.corpus.line == 0
    }

    private func file(continuing position: TokenStreamPosition?, restart: Bool) -> URL {
        guard let position else { return URL(fileURLWithPath: paths[0]) }
        guard restart else { return URL(fileURLWithPath: position.corpus.file) }
        let index = paths.firstIndex(of: position.corpus.file).map { ($0 + 1) % paths.count } ?? 0
        return URL(fileURLWithPath: paths[index])
    }
}
