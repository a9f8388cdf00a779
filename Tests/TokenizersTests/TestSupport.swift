import Foundation
import TestSupport
import Tokenizers

/// Paths and helpers shared by the tokenizer tests.
enum TokenizerFixtures {
    static let goldenTokenizerDirectory = Golden.url("golden/tokenizer")

    static func removeDirectory(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }

    /// The JSON objects of a .jsonl file, one per line.
    static func jsonLines(_ url: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw CocoaError(.coderReadCorrupt)
            }
            return object
        }
    }

    /// A tokenizer over a tiny vocabulary: the special tokens, then `tokens`.
    static func tinyTokenizer(_ tokens: [String], normalizer: BertNormalizer = BertNormalizer()) throws -> BertTokenizer
    {
        try BertTokenizer(vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + tokens, normalizer: normalizer)
    }
}

extension Array where Element == Range<Int> {
    /// Offsets as `[[start, end]]`, the layout of the golden files.
    var pairs: [[Int]] { map { [$0.lowerBound, $0.upperBound] } }
}
