import Foundation
import TestSupport
import Testing
import Tokenizers

/// Every line of the Hugging Face reference outputs must be reproduced exactly, from both ways of loading.
@Suite struct GoldenTests {
    /// Loads the golden tokenizer directory (tokenizer.json) or a copy of it without tokenizer.json
    /// (vocab.txt + tokenizer_config.json + special_tokens_map.json).
    static func loadTokenizer(fromTokenizerJSON: Bool) throws -> (BertTokenizer, cleanup: () -> Void) {
        let golden = TokenizerFixtures.goldenTokenizerDirectory
        if fromTokenizerJSON { return (try BertTokenizer(directory: golden), {}) }
        let directory = try makeScratchDirectory()
        for name in ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json"] {
            try FileManager.default.copyItem(
                at: golden.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        return (try BertTokenizer(directory: directory), { TokenizerFixtures.removeDirectory(directory) })
    }

    @Test(arguments: [true, false])
    func singleTexts(fromTokenizerJSON: Bool) throws {
        let (tokenizer, cleanup) = try Self.loadTokenizer(fromTokenizerJSON: fromTokenizerJSON)
        defer { cleanup() }
        let lines = try TokenizerFixtures.jsonLines(
            TokenizerFixtures.goldenTokenizerDirectory.appendingPathComponent("single.jsonl"))
        try #require(lines.count == 1166)
        var mismatches: [String] = []
        for line in lines {
            let text = try #require(line["text"] as? String)
            let encoding = tokenizer.encode(text)
            let ids = try #require(line["ids"] as? [Int])
            let tokens = try #require(line["tokens"] as? [String])
            let offsets = try #require(line["offsets"] as? [[Int]])
            if encoding.ids.map(Int.init) != ids || encoding.tokens != tokens || encoding.offsets.pairs != offsets {
                mismatches.append("\(text.debugDescription): got \(encoding.tokens) \(encoding.offsets.pairs)")
            }
            #expect(encoding.attentionMask.allSatisfy { $0 == 1 })
            #expect(encoding.typeIds.allSatisfy { $0 == 0 })
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(lines.count) differ; first: \(mismatches.prefix(5))")
    }

    @Test(arguments: [true, false])
    func pairs(fromTokenizerJSON: Bool) throws {
        let (tokenizer, cleanup) = try Self.loadTokenizer(fromTokenizerJSON: fromTokenizerJSON)
        defer { cleanup() }
        let lines = try TokenizerFixtures.jsonLines(
            TokenizerFixtures.goldenTokenizerDirectory.appendingPathComponent("pairs.jsonl"))
        try #require(lines.count == 120)
        var mismatches: [String] = []
        for line in lines {
            let first = try #require(line["first"] as? String)
            let second = try #require(line["second"] as? String)
            let maxLength = try #require(line["max_length"] as? Int)
            let strategyName = try #require(line["truncation"] as? String)
            let strategy = try #require(TruncationStrategy(rawValue: strategyName))
            try #require(line["padding"] as? String == "max_length")
            let encoding = tokenizer.encode(
                first, pair: second, maxLength: maxLength, truncation: strategy, padToMaxLength: true)
            if encoding.ids.map(Int.init) != (line["ids"] as? [Int])
                || encoding.typeIds.map(Int.init) != (line["token_type_ids"] as? [Int])
                || encoding.attentionMask.map(Int.init) != (line["attention_mask"] as? [Int])
                || encoding.offsets.pairs != (line["offsets"] as? [[Int]])
            {
                mismatches.append("\(first.debugDescription): got \(encoding.ids)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(lines.count) differ; first: \(mismatches.prefix(3))")
    }
}
