import Foundation

/// The transformers-side settings of a model directory: tokenizer_config.json, then special_tokens_map.json for
/// whatever the first does not set. Both files are optional.
struct TransformersTokenizerConfiguration {
    var doLowerCase: Bool?
    var stripAccents: Bool?
    var tokenizeChineseChars: Bool?
    var modelMaxLength: Int?
    var cleanUpTokenizationSpaces: Bool?
    /// `unk_token`, `sep_token`, ... as named in the files.
    var specialTokens: [String: String] = [:]
    /// `added_tokens_decoder` of tokenizer_config.json.
    var addedTokens: [AddedToken] = []

    static let specialTokenKeys = ["unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]

    init(directory: URL) throws(TokenizerError) {
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        if let config = try BertTokenizer.readJSONIfPresent(configURL) {
            doLowerCase = try config.optionalBool("do_lower_case")
            stripAccents = try config.optionalBool("strip_accents")
            tokenizeChineseChars = try config.optionalBool("tokenize_chinese_chars")
            modelMaxLength = try config.optionalInt("model_max_length")
            cleanUpTokenizationSpaces = try config.optionalBool("clean_up_tokenization_spaces")
            for key in Self.specialTokenKeys {
                if let token = try config.optionalTokenContent(key) { specialTokens[key] = token }
            }
            if let decoder = try config.optionalObject("added_tokens_decoder") {
                for (key, entry) in try decoder.objectMembers() {
                    guard let id = Int(key) else {
                        throw .invalidValue(
                            file: configURL.path, key: decoder.keyPath(key), reason: "expected an integer id")
                    }
                    addedTokens.append(try TokenizerStageFactory.addedToken(entry, id: id))
                }
                addedTokens.sort { $0.id < $1.id }
            }
        }
        let mapURL = directory.appendingPathComponent("special_tokens_map.json")
        if let map = try BertTokenizer.readJSONIfPresent(mapURL) {
            for key in Self.specialTokenKeys where specialTokens[key] == nil {
                if let token = try map.optionalTokenContent(key) { specialTokens[key] = token }
            }
        }
    }

    /// The special token names, BERT's defaults where the files say nothing.
    func specialTokenNames(unknown: String? = nil) -> SpecialTokenNames {
        let defaults = SpecialTokenNames()
        return SpecialTokenNames(
            unknown: unknown ?? specialTokens["unk_token"] ?? defaults.unknown,
            separator: specialTokens["sep_token"] ?? defaults.separator,
            padding: specialTokens["pad_token"] ?? defaults.padding,
            classifier: specialTokens["cls_token"] ?? defaults.classifier,
            mask: specialTokens["mask_token"] ?? defaults.mask)
    }
}

extension BertTokenizer {
    /// Loads the tokenizer of a model directory: from `tokenizer.json` when there is one (with
    /// `tokenizer_config.json` for `model_max_length` and the special-token names), otherwise from `vocab.txt`
    /// with `tokenizer_config.json` (`do_lower_case`, `strip_accents`, `tokenize_chinese_chars`, special tokens,
    /// `model_max_length`) and `special_tokens_map.json`, as transformers builds a `BertTokenizerFast`.
    public convenience init(directory: URL) throws(TokenizerError) {
        let configuration = try TransformersTokenizerConfiguration(directory: directory)
        let tokenizerURL = directory.appendingPathComponent("tokenizer.json")
        let vocabularyURL = directory.appendingPathComponent("vocab.txt")
        if FileManager.default.fileExists(atPath: tokenizerURL.path) {
            try self.init(tokenizerFile: tokenizerURL, configuration: configuration)
        } else if FileManager.default.fileExists(atPath: vocabularyURL.path) {
            try self.init(vocabularyFile: vocabularyURL, configuration: configuration)
        } else {
            throw .noTokenizerFiles(directory: directory.path)
        }
    }

    /// Loads a `tokenizer.json` file (the special-token names and `model_max_length` from `configuration`).
    convenience init(tokenizerFile url: URL, configuration: TransformersTokenizerConfiguration) throws(TokenizerError) {
        let file = url.path
        let json = try JSONObject.parse(Self.read(url), file: file)
        let model = try TokenizerStageFactory.model(json.object("model"), file: file)
        _ = try TokenizerStageFactory.preTokenizer(json.optionalObject("pre_tokenizer"), file: file)
        let postProcessor = try TokenizerStageFactory.postProcessor(json.optionalObject("post_processor"), file: file)
        var names = configuration.specialTokenNames(unknown: model.unknownToken)
        // Without transformers' files, the template's first and last special tokens are the classifier and separator.
        if configuration.specialTokens["cls_token"] == nil, case .special(let name, _)? = postProcessor.single.first {
            names.classifier = name
        }
        if configuration.specialTokens["sep_token"] == nil, case .special(let name, _)? = postProcessor.single.last {
            names.separator = name
        }
        let padding = try TokenizerStageFactory.padding(json.optionalObject("padding"))
        if let token = padding?.token { names.padding = token }
        try self.init(
            normalizer: TokenizerStageFactory.normalizer(json.optionalObject("normalizer"), file: file), model: model,
            postProcessor: postProcessor,
            decoder: TokenizerStageFactory.decoder(json.optionalObject("decoder"), file: file),
            addedTokens: TokenizerStageFactory.addedTokens(json, file: file), specialTokenNames: names,
            padding: (padding?.id, padding?.typeId ?? 0), modelMaxLength: configuration.modelMaxLength,
            savedTruncation: TokenizerStageFactory.truncation(json.optionalObject("truncation")),
            savedPadding: padding?.settings, cleanUpTokenizationSpaces: configuration.cleanUpTokenizationSpaces ?? true,
            file: file)
    }

    /// Loads a `vocab.txt` file (one token per line, ids in line order) with the settings of `configuration`.
    convenience init(vocabularyFile url: URL, configuration: TransformersTokenizerConfiguration) throws(TokenizerError)
    {
        // Lines end at "\n" (a "\r" before it is dropped too), as Python reads text files.
        var lines = try Self.read(url).split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }
        if lines.last == "" { lines.removeLast() }
        let lowercase = configuration.doLowerCase ?? true
        try self.init(
            vocabulary: lines,
            normalizer: BertNormalizer(
                cleanText: true, handleChineseChars: configuration.tokenizeChineseChars ?? true,
                stripAccents: configuration.stripAccents, lowercase: lowercase),
            specialTokenNames: configuration.specialTokenNames(), extraAddedTokens: configuration.addedTokens,
            modelMaxLength: configuration.modelMaxLength,
            cleanUpTokenizationSpaces: configuration.cleanUpTokenizationSpaces ?? true, file: url.path)
    }

    /// The vocab.txt configuration: WordPiece with `##` and 100 characters per word, the special tokens (and
    /// `extraAddedTokens`) matched verbatim, `[CLS] A [SEP] (B [SEP])`.
    convenience init(
        vocabulary: [String], normalizer: BertNormalizer, specialTokenNames names: SpecialTokenNames,
        extraAddedTokens: [AddedToken], modelMaxLength: Int?, cleanUpTokenizationSpaces: Bool, file: String
    ) throws(TokenizerError) {
        let model = try WordPieceModel(
            vocabulary: vocabulary.enumerated().map { ($1, $0) }, unknownToken: names.unknown,
            continuingSubwordPrefix: "##", maxInputCharsPerWord: 100, file: file)
        var addedTokens = extraAddedTokens
        for name in names.all where !addedTokens.contains(where: { $0.content == name }) {
            if let id = model.id(of: name) { addedTokens.append(AddedToken(content: name, id: id, special: true)) }
        }
        func id(of token: String, role: String) throws(TokenizerError) -> Int32 {
            guard let id = addedTokens.first(where: { $0.content == token })?.id else {
                throw .missingToken(file: file, token: token, role: role)
            }
            return id
        }
        let postProcessor = PostProcessor.bert(
            cls: (names.classifier, try id(of: names.classifier, role: "classifier")),
            sep: (names.separator, try id(of: names.separator, role: "separator")))
        try self.init(
            normalizer: normalizer, model: model, postProcessor: postProcessor, decoder: WordPieceDecoder(),
            addedTokens: addedTokens, specialTokenNames: names, padding: (nil, 0), modelMaxLength: modelMaxLength,
            savedTruncation: nil, savedPadding: nil, cleanUpTokenizationSpaces: cleanUpTokenizationSpaces, file: file)
    }

    static func read(_ url: URL) throws(TokenizerError) -> [UInt8] {
        do {
            return try [UInt8](Data(contentsOf: url))
        } catch {
            throw .unreadableFile(file: url.path, reason: error.localizedDescription)
        }
    }

    static func readJSONIfPresent(_ url: URL) throws(TokenizerError) -> JSONObject? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try JSONObject.parse(read(url), file: url.path)
    }
}
