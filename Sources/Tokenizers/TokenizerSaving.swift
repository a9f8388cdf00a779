import Foundation
import JSON

extension BertTokenizer {
    /// Writes `vocab.txt`, `tokenizer.json`, `tokenizer_config.json` and `special_tokens_map.json` into
    /// `directory` (created if needed), each atomically, so that this package and transformers' `AutoTokenizer`
    /// load the directory back to the same tokenizer.
    public func save(to directory: URL) throws(TokenizerError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(file: directory.path, reason: error.localizedDescription)
        }
        let vocabulary = model.tokens.joined(separator: "\n") + "\n"
        try Self.write(Data(vocabulary.utf8), to: directory.appendingPathComponent("vocab.txt"))
        try Self.writeJSON(tokenizerJSON(), to: directory.appendingPathComponent("tokenizer.json"))
        try Self.writeJSON(transformersConfiguration(), to: directory.appendingPathComponent("tokenizer_config.json"))
        try Self.writeJSON(.object(specialTokensMap()), to: directory.appendingPathComponent("special_tokens_map.json"))
    }

    private func specialTokensMap() -> [JSONValue.Member] {
        [
            .init(key: "unk_token", value: .string(specialTokenNames.unknown)),
            .init(key: "sep_token", value: .string(specialTokenNames.separator)),
            .init(key: "pad_token", value: .string(specialTokenNames.padding)),
            .init(key: "cls_token", value: .string(specialTokenNames.classifier)),
            .init(key: "mask_token", value: .string(specialTokenNames.mask)),
        ]
    }

    private func addedTokenJSON(_ token: AddedToken) -> [JSONValue.Member] {
        let entry: JSONValue = [
            "content": .string(token.content), "single_word": false, "lstrip": false, "rstrip": false,
            "normalized": false, "special": .bool(token.special),
        ]
        return entry.members ?? []
    }

    /// tokenizer_config.json as transformers writes it for a `BertTokenizer`.
    private func transformersConfiguration() -> JSONValue {
        var config = specialTokensMap()
        let addedTokensDecoder = addedTokens.map { token in
            JSONValue.Member(key: String(token.id), value: .object(addedTokenJSON(token)))
        }
        let settings: JSONValue = [
            "tokenizer_class": "BertTokenizer", "do_lower_case": .bool(normalizer.lowercase),
            "strip_accents": normalizer.stripAccents.map(JSONValue.bool) ?? .null,
            "tokenize_chinese_chars": .bool(normalizer.handleChineseChars), "do_basic_tokenize": true,
            "never_split": .null, "clean_up_tokenization_spaces": .bool(cleanUpTokenizationSpaces),
            "added_tokens_decoder": .object(addedTokensDecoder),
        ]
        config += settings.members ?? []
        if let modelMaxLength { config.append(.init(key: "model_max_length", value: JSONValue(modelMaxLength))) }
        return .object(config)
    }

    /// tokenizer.json in the layout of Hugging Face `tokenizers` 1.0.
    private func tokenizerJSON() -> JSONValue {
        let vocabulary = model.tokens.enumerated().filter { !$0.element.isEmpty }.map { id, token in
            JSONValue.Member(key: token, value: JSONValue(id))
        }
        let strategies: [TruncationStrategy: JSONValue] = [
            .longestFirst: "LongestFirst", .onlyFirst: "OnlyFirst", .onlySecond: "OnlySecond",
        ]
        let truncation = savedTruncation.map { settings -> JSONValue in
            [
                "max_length": JSONValue(settings.maxLength),
                "strategy": strategies[settings.strategy] ?? "LongestFirst", "stride": 0, "direction": "Right",
            ]
        }
        let padding = savedPadding.map { settings -> JSONValue in
            [
                "strategy": settings.fixedLength.map { ["Fixed": JSONValue($0)] } ?? "BatchLongest",
                "direction": "Right", "pad_to_multiple_of": .null, "pad_id": JSONValue(Int(padId)),
                "pad_type_id": JSONValue(Int(padTypeId)), "pad_token": .string(specialTokenNames.padding),
            ]
        }
        let addedTokensJSON = addedTokens.map { token in
            JSONValue.object(addedTokenJSON(token) + [.init(key: "id", value: JSONValue(Int(token.id)))])
        }
        return [
            "version": "1.0", "truncation": truncation ?? .null, "padding": padding ?? .null,
            "added_tokens": .array(addedTokensJSON),
            "normalizer": [
                "type": "BertNormalizer", "clean_text": .bool(normalizer.cleanText),
                "handle_chinese_chars": .bool(normalizer.handleChineseChars),
                "strip_accents": normalizer.stripAccents.map(JSONValue.bool) ?? .null,
                "lowercase": .bool(normalizer.lowercase),
            ],
            "pre_tokenizer": ["type": "BertPreTokenizer"],
            "post_processor": postProcessorJSON(),
            "decoder": decoder.map { ["type": "WordPiece", "prefix": .string($0.prefix), "cleanup": .bool($0.cleanup)] }
                ?? JSONValue.null,
            "model": [
                "type": "WordPiece", "unk_token": .string(model.unknownToken),
                "continuing_subword_prefix": .string(model.continuingSubwordPrefix),
                "max_input_chars_per_word": JSONValue(model.maxInputCharsPerWord), "vocab": .object(vocabulary),
            ],
        ]
    }

    private func postProcessorJSON() -> JSONValue {
        func template(_ pieces: [PostProcessor.Piece]) -> JSONValue {
            .array(pieces.map { piece in
                switch piece {
                case .special(let name, let typeId):
                    ["SpecialToken": ["id": .string(name), "type_id": JSONValue(Int(typeId))]]
                case .sequence(let index, let typeId):
                    ["Sequence": ["id": index == 0 ? "A" : "B", "type_id": JSONValue(Int(typeId))]]
                }
            })
        }
        let specialTokens = postProcessor.specialTokens.map { name, special in
            JSONValue.Member(key: name, value: [
                "id": .string(name), "ids": .array(special.ids.map { JSONValue(Int($0)) }),
                "tokens": .array(special.tokens.map(JSONValue.string)),
            ])
        }
        return [
            "type": "TemplateProcessing", "single": template(postProcessor.single),
            "pair": template(postProcessor.pair), "special_tokens": .object(specialTokens),
        ]
    }

    /// Writes `value` indented and with sorted keys, non-ASCII text kept as UTF-8 (as `tokenizers` and
    /// transformers write these files).
    private static func writeJSON(_ value: JSONValue, to url: URL) throws(TokenizerError) {
        let format = JSONFormat(indentation: 2, sortsKeys: true)
        try write(Data((value.serialized(format) + "\n").utf8), to: url)
    }

    private static func write(_ data: Data, to url: URL) throws(TokenizerError) {
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw .writeFailed(file: url.path, reason: error.localizedDescription)
        }
    }
}
