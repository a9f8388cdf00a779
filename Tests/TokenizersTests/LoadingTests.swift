import Foundation
import TestSupport
import Testing
import Tokenizers

/// Loading from tokenizer.json or vocab.txt, typed errors for bad files, and saving.
@Suite struct LoadingTests {
    static let golden = TokenizerFixtures.goldenTokenizerDirectory

    /// A tokenizer.json with a five-token vocabulary, changed by `edit`.
    static func tokenizerJSON(_ edit: (inout [String: Any]) -> Void = { _ in }) -> [String: Any] {
        var json: [String: Any] = [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(),
            "added_tokens": ["[PAD]", "[UNK]", "[CLS]", "[SEP]"].enumerated().map { id, content in
                [
                    "id": id, "content": content, "single_word": false, "lstrip": false, "rstrip": false,
                    "normalized": false, "special": true,
                ] as [String: Any]
            },
            "normalizer": ["type": "BertNormalizer", "lowercase": true] as [String: Any],
            "pre_tokenizer": ["type": "BertPreTokenizer"],
            "post_processor": ["type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]] as [String: Any],
            "decoder": ["type": "WordPiece", "prefix": "##", "cleanup": true] as [String: Any],
            "model": [
                "type": "WordPiece", "unk_token": "[UNK]",
                "vocab": ["[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hello": 4],
            ] as [String: Any],
        ]
        edit(&json)
        return json
    }

    /// Loads a directory holding only `tokenizer.json` with `contents`, returning the error if any.
    static func load(tokenizerJSON contents: Data) throws -> Result<BertTokenizer, TokenizerError> {
        let directory = try makeScratchDirectory()
        defer { TokenizerFixtures.removeDirectory(directory) }
        try contents.write(to: directory.appendingPathComponent("tokenizer.json"))
        do {
            return .success(try BertTokenizer(directory: directory))
        } catch {
            return .failure(error)
        }
    }

    static func load(_ json: [String: Any]) throws -> Result<BertTokenizer, TokenizerError> {
        try load(tokenizerJSON: JSONSerialization.data(withJSONObject: json))
    }

    @Test func aMinimalTokenizerJSONWithBertProcessingLoads() throws {
        let tokenizer = try Self.load(Self.tokenizerJSON()).get()
        #expect(tokenizer.encode("Hello hello", pair: "hello").ids == [2, 4, 4, 3, 4, 3])
        #expect(tokenizer.encode("x", pair: "y").typeIds == [0, 0, 0, 1, 1])
        #expect(tokenizer.maskId == nil)
    }

    @Test func malformedJSONNamesTheFile() throws {
        let result = try Self.load(tokenizerJSON: Data("{ not json".utf8))
        guard case .failure(let error) = result, case .malformedJSON(let file, _) = error else {
            Issue.record("expected malformedJSON, got \(result)")
            return
        }
        #expect(file.hasSuffix("tokenizer.json"))
        #expect(error.description.contains("tokenizer.json"))
    }

    @Test func unsupportedStagesNameTheFileAndTheType() throws {
        let cases: [(String, String, (inout [String: Any]) -> Void)] = [
            ("normalizer", "Lowercase", { $0["normalizer"] = ["type": "Lowercase"] }),
            ("pre_tokenizer", "ByteLevel", { $0["pre_tokenizer"] = ["type": "ByteLevel"] }),
            (
                "model", "BPE",
                { json in
                    var model = json["model"] as? [String: Any] ?? [:]
                    model["type"] = "BPE"
                    json["model"] = model
                }
            ),
            ("post_processor", "RobertaProcessing", { $0["post_processor"] = ["type": "RobertaProcessing"] }),
            ("decoder", "ByteLevel", { $0["decoder"] = ["type": "ByteLevel"] }),
        ]
        for (stage, type, edit) in cases {
            let result = try Self.load(Self.tokenizerJSON(edit))
            guard case .failure(let error) = result, case .unsupportedStage(let file, let badStage, let badType) = error
            else {
                Issue.record("\(stage): expected unsupportedStage, got \(result)")
                continue
            }
            #expect(file.hasSuffix("tokenizer.json") && badStage == stage && badType == type)
            #expect(error.description.contains("tokenizer.json") && error.description.contains(type))
        }
    }

    @Test func missingPiecesGiveTypedErrors() throws {
        let noModel = try Self.load(Self.tokenizerJSON { $0["model"] = nil })
        guard case .failure(.missingKey(_, "model")) = noModel else {
            Issue.record("expected missingKey model, got \(noModel)")
            return
        }
        let noUnknown = try Self.load(
            Self.tokenizerJSON { json in
                var model = json["model"] as? [String: Any] ?? [:]
                model["unk_token"] = "<unk>"
                json["model"] = model
            })
        guard case .failure(.missingToken(_, "<unk>", "unknown")) = noUnknown else {
            Issue.record("expected missingToken, got \(noUnknown)")
            return
        }
        let stripping = try Self.load(
            Self.tokenizerJSON { json in
                json["added_tokens"] = [
                    ["id": 0, "content": "[PAD]", "lstrip": true, "special": true] as [String: Any]
                ]
            })
        guard case .failure(.unsupportedAddedToken(_, "[PAD]", _)) = stripping else {
            Issue.record("expected unsupportedAddedToken, got \(stripping)")
            return
        }
        let wrongKind = try Self.load(
            Self.tokenizerJSON { $0["normalizer"] = ["type": "BertNormalizer", "lowercase": "yes"] })
        guard case .failure(.invalidValue(_, "normalizer.lowercase", _)) = wrongKind else {
            Issue.record("expected invalidValue, got \(wrongKind)")
            return
        }
    }

    @Test func anEmptyDirectoryIsAnError() throws {
        let directory = try makeScratchDirectory()
        defer { TokenizerFixtures.removeDirectory(directory) }
        #expect(throws: TokenizerError.noTokenizerFiles(directory: directory.path)) {
            try BertTokenizer(directory: directory)
        }
    }

    @Test func vocabularyFileFollowsTokenizerConfig() throws {
        let directory = try makeScratchDirectory()
        defer { TokenizerFixtures.removeDirectory(directory) }
        try "[PAD]\r\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nHello\nhello\n".write(
            to: directory.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        try #"{"do_lower_case": false, "model_max_length": 1000000000000000019884624838656}"#.write(
            to: directory.appendingPathComponent("tokenizer_config.json"), atomically: true, encoding: .utf8)
        let tokenizer = try BertTokenizer(directory: directory)
        #expect(tokenizer.encode("Hello hello").ids == [2, 5, 6, 3])
        #expect(tokenizer.padId == 0 && tokenizer.maskId == 4)
        #expect(tokenizer.modelMaxLength == nil)
        #expect(tokenizer.normalizer.lowercase == false)
    }

    @Test func savedDirectoriesLoadBackToTheSameTokenizer() throws {
        let original = try BertTokenizer(directory: Self.golden)
        let directory = try makeScratchDirectory()
        defer { TokenizerFixtures.removeDirectory(directory) }
        try original.save(to: directory.appendingPathComponent("student"))
        let saved = directory.appendingPathComponent("student")
        let reloaded = try BertTokenizer(directory: saved)
        // Without tokenizer.json the vocab.txt + tokenizer_config.json path must agree too.
        try FileManager.default.removeItem(at: saved.appendingPathComponent("tokenizer.json"))
        let fromVocabulary = try BertTokenizer(directory: saved)
        let texts = ["Hello, World! ÀÉÎÕÜ 日本語 [MASK] don't", "unaffable", ""]
        for text in texts {
            let expected = original.encode(text, pair: "second text", maxLength: 12, padToMaxLength: true)
            #expect(reloaded.encode(text, pair: "second text", maxLength: 12, padToMaxLength: true) == expected)
            #expect(fromVocabulary.encode(text, pair: "second text", maxLength: 12, padToMaxLength: true) == expected)
        }
        #expect(reloaded.vocabularySize == original.vocabularySize)
        #expect(reloaded.modelMaxLength == 512)
        #expect(reloaded.savedTruncation == original.savedTruncation)
    }

    @Test func throughputIsReportedForTheGivenTexts() throws {
        let tokenizer = try BertTokenizer(directory: Self.golden)
        let throughput = tokenizer.measureThroughput(texts: ["hello world", "é"])
        #expect(throughput.bytes == 13 && throughput.texts == 2 && throughput.tokens == 7)
        #expect(throughput.seconds >= 0)
    }
}

@Suite struct TokenizerProtocolTests {
    @Test func aBertTokenizerServesThroughTheProtocol() throws {
        let bert = try BertTokenizer(vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world"])
        let tokenizer: any Tokenizer = bert
        #expect(tokenizer.specialTokenIds == [0, 1, 2, 3, 4])
        #expect((tokenizer.padId, tokenizer.clsId, tokenizer.sepId, tokenizer.unkId) == (0, 2, 3, 1))
        #expect(tokenizer.maskId == 4 && tokenizer.vocabularySize == 7)
        let encoding = tokenizer.encode("hello world", pair: "world", maxLength: 5, truncation: .longestFirst, padToMaxLength: false)
        #expect(encoding == bert.encode("hello world", pair: "world", maxLength: 5))
        #expect(encoding.ids == [2, 5, 3, 6, 3])
        #expect(tokenizer.decode(encoding.ids, skipSpecialTokens: true) == "hello world")
    }
}
