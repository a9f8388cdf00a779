import Foundation

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
        try Self.writeJSON(specialTokensMap(), to: directory.appendingPathComponent("special_tokens_map.json"))
    }

    private func specialTokensMap() -> [String: Any] {
        [
            "unk_token": specialTokenNames.unknown, "sep_token": specialTokenNames.separator,
            "pad_token": specialTokenNames.padding, "cls_token": specialTokenNames.classifier,
            "mask_token": specialTokenNames.mask,
        ]
    }

    private func addedTokenJSON(_ token: AddedToken) -> [String: Any] {
        [
            "content": token.content, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false,
            "special": token.special,
        ]
    }

    /// tokenizer_config.json as transformers writes it for a `BertTokenizer`.
    private func transformersConfiguration() -> [String: Any] {
        var config = specialTokensMap()
        config["tokenizer_class"] = "BertTokenizer"
        config["do_lower_case"] = normalizer.lowercase
        config["strip_accents"] = normalizer.stripAccents.map { $0 as Any } ?? NSNull()
        config["tokenize_chinese_chars"] = normalizer.handleChineseChars
        config["do_basic_tokenize"] = true
        config["never_split"] = NSNull()
        config["clean_up_tokenization_spaces"] = cleanUpTokenizationSpaces
        if let modelMaxLength { config["model_max_length"] = modelMaxLength }
        var addedTokensDecoder: [String: Any] = [:]
        for token in addedTokens { addedTokensDecoder[String(token.id)] = addedTokenJSON(token) }
        config["added_tokens_decoder"] = addedTokensDecoder
        return config
    }

    /// tokenizer.json in the layout of Hugging Face `tokenizers` 1.0.
    private func tokenizerJSON() -> [String: Any] {
        var vocabulary: [String: Any] = [:]
        for (id, token) in model.tokens.enumerated() where !token.isEmpty { vocabulary[token] = id }
        var json: [String: Any] = [
            "version": "1.0",
            "added_tokens": addedTokens.map { token in addedTokenJSON(token).merging(["id": Int(token.id)]) { $1 } },
            "normalizer": [
                "type": "BertNormalizer", "clean_text": normalizer.cleanText,
                "handle_chinese_chars": normalizer.handleChineseChars,
                "strip_accents": normalizer.stripAccents.map { $0 as Any } ?? NSNull(),
                "lowercase": normalizer.lowercase,
            ] as [String: Any],
            "pre_tokenizer": ["type": "BertPreTokenizer"],
            "post_processor": postProcessorJSON(),
            "decoder": decoder.map {
                ["type": "WordPiece", "prefix": $0.prefix, "cleanup": $0.cleanup] as [String: Any]
            }
                ?? NSNull(),
            "model": [
                "type": "WordPiece", "unk_token": model.unknownToken,
                "continuing_subword_prefix": model.continuingSubwordPrefix,
                "max_input_chars_per_word": model.maxInputCharsPerWord, "vocab": vocabulary,
            ] as [String: Any],
        ]
        json["truncation"] =
            savedTruncation.map { settings -> Any in
                let strategies: [TruncationStrategy: String] = [
                    .longestFirst: "LongestFirst", .onlyFirst: "OnlyFirst", .onlySecond: "OnlySecond",
                ]
                return [
                    "max_length": settings.maxLength, "strategy": strategies[settings.strategy] ?? "LongestFirst",
                    "stride": 0, "direction": "Right",
                ] as [String: Any]
            } ?? NSNull()
        json["padding"] =
            savedPadding.map { settings -> Any in
                [
                    "strategy": settings.fixedLength.map { ["Fixed": $0] as Any } ?? "BatchLongest",
                    "direction": "Right", "pad_to_multiple_of": NSNull(), "pad_id": Int(padId),
                    "pad_type_id": Int(padTypeId), "pad_token": specialTokenNames.padding,
                ] as [String: Any]
            } ?? NSNull()
        return json
    }

    private func postProcessorJSON() -> [String: Any] {
        func template(_ pieces: [PostProcessor.Piece]) -> [[String: Any]] {
            pieces.map { piece in
                switch piece {
                case .special(let name, let typeId):
                    return ["SpecialToken": ["id": name, "type_id": Int(typeId)] as [String: Any]]
                case .sequence(let index, let typeId):
                    return ["Sequence": ["id": index == 0 ? "A" : "B", "type_id": Int(typeId)] as [String: Any]]
                }
            }
        }
        var specialTokens: [String: Any] = [:]
        for (name, special) in postProcessor.specialTokens {
            specialTokens[name] =
                ["id": name, "ids": special.ids.map(Int.init), "tokens": special.tokens] as [String: Any]
        }
        return [
            "type": "TemplateProcessing", "single": template(postProcessor.single),
            "pair": template(postProcessor.pair),
            "special_tokens": specialTokens,
        ]
    }

    private static func writeJSON(_ object: [String: Any], to url: URL) throws(TokenizerError) {
        let data: Data
        do {
            data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        } catch {
            throw .writeFailed(file: url.path, reason: error.localizedDescription)
        }
        try write(data, to: url)
    }

    private static func write(_ data: Data, to url: URL) throws(TokenizerError) {
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw .writeFailed(file: url.path, reason: error.localizedDescription)
        }
    }
}
