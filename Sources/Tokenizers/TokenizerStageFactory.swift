import JSON

/// Builds each stage of the pipeline from its description in tokenizer.json, one factory per stage (in the
/// spirit of swift-transformers). A stage type this package does not implement is reported as
/// `TokenizerError.unsupportedStage`, naming the file and the type.
enum TokenizerStageFactory {
    /// `normalizer`: `BertNormalizer`, or null (no normalization).
    static func normalizer(_ json: JSONObject?, file: String) throws(TokenizerError) -> BertNormalizer {
        guard let json else {
            return BertNormalizer(cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false)
        }
        let type = try json.string("type")
        guard type == "BertNormalizer" else { throw .unsupportedStage(file: file, stage: "normalizer", type: type) }
        // Missing options take the defaults of `tokenizers.normalizers.BertNormalizer`.
        return BertNormalizer(
            cleanText: try json.optionalBool("clean_text") ?? true,
            handleChineseChars: try json.optionalBool("handle_chinese_chars") ?? true,
            stripAccents: try json.optionalBool("strip_accents"),
            lowercase: try json.optionalBool("lowercase") ?? true)
    }

    /// `pre_tokenizer`: `BertPreTokenizer` only.
    static func preTokenizer(_ json: JSONObject?, file: String) throws(TokenizerError) -> BertPreTokenizer {
        let type = try json?.string("type") ?? "null"
        guard type == "BertPreTokenizer" else {
            throw .unsupportedStage(file: file, stage: "pre_tokenizer", type: type)
        }
        return BertPreTokenizer()
    }

    /// `model`: `WordPiece`.
    static func model(_ json: JSONObject, file: String) throws(TokenizerError) -> WordPieceModel {
        let type = try json.optionalString("type") ?? "WordPiece"
        guard type == "WordPiece" else { throw .unsupportedStage(file: file, stage: "model", type: type) }
        let vocabularyJSON = try json.object("vocab")
        let vocabulary = try vocabularyJSON.integerMembers().map { (token: $0.key, id: $0.value) }
        let maxInputCharsPerWord = try json.optionalInt("max_input_chars_per_word") ?? 100
        guard (1...100_000).contains(maxInputCharsPerWord) else {
            throw .invalidValue(
                file: file, key: json.keyPath("max_input_chars_per_word"), reason: "must lie in 1...100000")
        }
        return try WordPieceModel(
            vocabulary: vocabulary, unknownToken: try json.optionalString("unk_token") ?? "[UNK]",
            continuingSubwordPrefix: try json.optionalString("continuing_subword_prefix") ?? "##",
            maxInputCharsPerWord: maxInputCharsPerWord, file: file)
    }

    /// `post_processor`: `TemplateProcessing`, `BertProcessing`, or null (no special tokens).
    static func postProcessor(_ json: JSONObject?, file: String) throws(TokenizerError) -> PostProcessor {
        guard let json else { return .none }
        let type = try json.string("type")
        switch type {
        case "TemplateProcessing":
            var specialTokens: [String: PostProcessor.SpecialToken] = [:]
            if let specials = try json.optionalObject("special_tokens") {
                for (name, entry) in try specials.objectMembers() {
                    let ids = try integers(entry, "ids")
                    guard let tokens = try entry.optional("tokens", as: [String].self), tokens.count == ids.count else {
                        throw .invalidValue(
                            file: file, key: entry.keyPath("tokens"), reason: "expected as many strings as ids")
                    }
                    specialTokens[name] = PostProcessor.SpecialToken(ids: ids.map(Int32.init), tokens: tokens)
                }
            }
            return PostProcessor(
                single: try templatePieces(json, "single", specialTokens: specialTokens),
                pair: try templatePieces(json, "pair", specialTokens: specialTokens), specialTokens: specialTokens)
        case "BertProcessing":
            return PostProcessor.bert(cls: try namedId(json, "cls"), sep: try namedId(json, "sep"))
        default:
            throw .unsupportedStage(file: file, stage: "post_processor", type: type)
        }
    }

    /// `decoder`: `WordPiece`, or null (tokens joined with spaces).
    static func decoder(_ json: JSONObject?, file: String) throws(TokenizerError) -> WordPieceDecoder? {
        guard let json else { return nil }
        let type = try json.string("type")
        guard type == "WordPiece" else { throw .unsupportedStage(file: file, stage: "decoder", type: type) }
        return WordPieceDecoder(
            prefix: try json.optionalString("prefix") ?? "##", cleanup: try json.optionalBool("cleanup") ?? true)
    }

    /// `truncation`: kept for information (`encode` truncates only when given a length, as transformers does).
    static func truncation(_ json: JSONObject?) throws(TokenizerError) -> TruncationSettings? {
        guard let json else { return nil }
        let name = try json.optionalString("strategy") ?? "LongestFirst"
        let strategies: [String: TruncationStrategy] = [
            "LongestFirst": .longestFirst, "OnlyFirst": .onlyFirst, "OnlySecond": .onlySecond,
        ]
        guard let strategy = strategies[name] else {
            throw .invalidValue(
                file: json.file, key: json.keyPath("strategy"), reason: "unknown strategy \"\(name.errorExcerpt())\"")
        }
        return TruncationSettings(maxLength: try json.int("max_length"), strategy: strategy)
    }

    /// `padding`: the pad token, id and type id padding uses, and the length (kept for information).
    static func padding(
        _ json: JSONObject?
    ) throws(TokenizerError) -> (settings: PaddingSettings, token: String?, id: Int32?, typeId: Int32)? {
        guard let json else { return nil }
        let fixedLength = try json.optionalObject("strategy")?.optionalInt("Fixed")
        return (
            PaddingSettings(fixedLength: fixedLength), try json.optionalString("pad_token"),
            try json.optionalInt("pad_id").map { Int32(clamping: $0) },
            Int32(clamping: try json.optionalInt("pad_type_id") ?? 0)
        )
    }

    /// `added_tokens`: the tokens matched in the raw text.
    static func addedTokens(_ json: JSONObject, file: String) throws(TokenizerError) -> [AddedToken] {
        guard !json.isNull("added_tokens") else { return [] }
        var tokens: [AddedToken] = []
        for entry in try json.objects("added_tokens") {
            tokens.append(try addedToken(entry, id: try entry.int("id")))
        }
        return tokens
    }

    /// One added token (an element of tokenizer.json's `added_tokens`, or a value of tokenizer_config.json's
    /// `added_tokens_decoder`, whose key is the id). Only the behaviour BERT tokenizers use is provided.
    static func addedToken(_ entry: JSONObject, id: Int) throws(TokenizerError) -> AddedToken {
        let content = try entry.string("content")
        guard (0..<Int(Int32.max)).contains(id) else {
            throw .invalidValue(file: entry.file, key: entry.keyPath("id"), reason: "\(id) is out of range")
        }
        for flag in ["lstrip", "rstrip", "single_word"] {
            if try entry.optionalBool(flag) == true {
                throw .unsupportedAddedToken(file: entry.file, token: content, reason: "\(flag) is not supported")
            }
        }
        let special = try entry.optionalBool("special") ?? false
        // Hugging Face matches a `normalized` token in the normalized text rather than in the raw text.
        if try entry.optionalBool("normalized") ?? !special {
            throw .unsupportedAddedToken(
                file: entry.file, token: content, reason: "normalized added tokens are not supported")
        }
        return AddedToken(content: content, id: Int32(id), special: special)
    }

    private static func integers(_ json: JSONObject, _ key: String) throws(TokenizerError) -> [Int] {
        guard let numbers = try json.optional(key, as: [Int].self) else {
            throw .invalidValue(file: json.file, key: json.keyPath(key), reason: "expected an array of integers")
        }
        return numbers
    }

    /// A `[token, id]` pair, as `BertProcessing` writes `cls` and `sep`.
    private static func namedId(_ json: JSONObject, _ key: String) throws(TokenizerError) -> (token: String, id: Int32)
    {
        guard let pair = try json.optional(key, as: [JSONValue].self), pair.count == 2,
            let token = pair[0].stringValue, let id = pair[1].integerValue, (0..<Int(Int32.max)).contains(id)
        else {
            throw .invalidValue(file: json.file, key: json.keyPath(key), reason: "expected [token, id]")
        }
        return (token, Int32(id))
    }

    /// One template (`single` or `pair`) of `TemplateProcessing`.
    private static func templatePieces(
        _ json: JSONObject, _ key: String, specialTokens: [String: PostProcessor.SpecialToken]
    ) throws(TokenizerError) -> [PostProcessor.Piece] {
        var pieces: [PostProcessor.Piece] = []
        for element in try json.objects(key) {
            if let special = try element.optionalObject("SpecialToken") {
                let name = try special.string("id")
                guard specialTokens[name] != nil else {
                    throw .invalidValue(
                        file: json.file, key: special.keyPath("id"), reason: "\"\(name.errorExcerpt())\" is not in special_tokens")
                }
                pieces.append(.special(name: name, typeId: Int32(clamping: try special.int("type_id"))))
            } else if let sequence = try element.optionalObject("Sequence") {
                let name = try sequence.string("id")
                guard let index = ["A": 0, "B": 1][name] else {
                    throw .invalidValue(file: json.file, key: sequence.keyPath("id"), reason: "expected \"A\" or \"B\"")
                }
                pieces.append(.sequence(index: index, typeId: Int32(clamping: try sequence.int("type_id"))))
            } else {
                throw .invalidValue(
                    file: json.file, key: element.path, reason: "expected a \"SpecialToken\" or \"Sequence\" object")
            }
        }
        return pieces
    }
}
