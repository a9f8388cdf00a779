import Datasets
import Foundation
import Tokenizers

/// The corpus token counts behind DistilBERT's masking weights (``SmoothedMaskingCollator``), counted once in a
/// streaming pass and kept in `token-counts.json` beside the run. The file holds a key (each corpus file's size
/// and content hash, how it is cut into documents, and a hash of the vocabulary); the counts are reused only while
/// the key is unchanged, and counted again otherwise.
public enum TokenCountCache {
    public static let fileName = "token-counts.json"

    /// Everything the counts depend on.
    struct Key: Codable, Equatable {
        var files: [String]
        var fingerprints: [FileFingerprint]
        var boundary: DocumentBoundary
        var skipInvalidLines: Bool
        var vocabulary: String
    }

    private struct Stored: Codable {
        var key: Key
        var counts: TokenCounts
    }

    /// The counts of `corpus`: read from `directory/token-counts.json` when its key matches, else counted and
    /// written there. `reused` says which.
    public static func counts(for corpus: CorpusFiles, in directory: URL) throws -> (counts: TokenCounts, reused: Bool) {
        let url = directory.appendingPathComponent(fileName)
        let key = Key(
            files: corpus.paths, fingerprints: try corpus.paths.map { try FileFingerprint(contentsOf: URL(fileURLWithPath: $0)) },
            boundary: corpus.boundary, skipInvalidLines: corpus.skipInvalidLines, vocabulary: vocabularyHash(corpus.tokenizer))
        if let data = try? Data(contentsOf: url), let stored = try? JSONDecoder().decode(Stored.self, from: data),
           stored.key == key, stored.counts.counts.count == corpus.tokenizer.vocabularySize
        {
            return (stored.counts, true)
        }
        let counts = try TokenCounts(corpus: corpus)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try JSONEncoder().encode(Stored(key: key, counts: counts)).write(to: url, options: .atomic)
        } catch {
            throw GeneralDistillationError.writeFailed(path: url.path, reason: error.localizedDescription)
        }
        return (counts, false)
    }

    /// ``ContentHash`` of every id's text: tells one vocabulary from another.
    private static func vocabularyHash(_ tokenizer: any Tokenizer) -> String {
        var hasher = ContentHash()
        for id in 0..<tokenizer.vocabularySize {
            var text = tokenizer.decode([Int32(id)], skipSpecialTokens: false)
            text.withUTF8 { hasher.combine(UnsafeRawBufferPointer($0)) }
        }
        return hasher.hexDigits
    }
}
