/// The names of BERT's special tokens.
public struct SpecialTokenNames: Sendable, Equatable {
    public var unknown: String
    public var separator: String
    public var padding: String
    public var classifier: String
    public var mask: String

    public init(
        unknown: String = "[UNK]", separator: String = "[SEP]", padding: String = "[PAD]", classifier: String = "[CLS]",
        mask: String = "[MASK]"
    ) {
        self.unknown = unknown
        self.separator = separator
        self.padding = padding
        self.classifier = classifier
        self.mask = mask
    }

    var all: [String] { [unknown, separator, padding, classifier, mask] }
}

/// The `truncation` section of a tokenizer.json. Like transformers, `encode` does not apply it on its own: it
/// truncates only when given a `maxLength`.
public struct TruncationSettings: Sendable, Equatable {
    public var maxLength: Int
    public var strategy: TruncationStrategy
}

/// The `padding` section of a tokenizer.json (informational, like `TruncationSettings`); its pad id, type id and
/// token are the ones padding uses.
public struct PaddingSettings: Sendable, Equatable {
    /// A fixed length, or nil for "pad to the longest in the batch".
    public var fixedLength: Int?
}

/// A BERT WordPiece tokenizer that gives the same ids, type ids, attention masks and offsets as Hugging Face's
/// `BertTokenizerFast` (the Rust `tokenizers` BERT pipeline). Immutable once made, so it can be shared freely.
public final class BertTokenizer: Sendable {
    let pipeline: TokenizationPipeline
    /// Where the special tokens go around one text or a pair.
    public let postProcessor: PostProcessor
    /// How `decode` joins tokens (nil: with spaces).
    public let decoder: WordPieceDecoder?
    /// Tokens matched verbatim in the raw text (the special tokens, for BERT).
    public let addedTokens: [AddedToken]
    public let specialTokenNames: SpecialTokenNames
    /// Token strings by id, the added tokens included.
    let tokenStrings: [String]
    /// Strings of the special added tokens, which `decode` can skip.
    let specialTokenStrings: Set<String>

    /// Number of ids (the largest id plus one).
    public let vocabularySize: Int
    public let unkId: Int32
    public let sepId: Int32
    public let clsId: Int32
    public let padId: Int32
    /// Nil when the vocabulary has no mask token.
    public let maskId: Int32?
    /// The type id given to padding.
    public let padTypeId: Int32
    /// `model_max_length` from tokenizer_config.json, when given and not transformers' "unlimited" 1e30.
    public let modelMaxLength: Int?
    /// The `truncation` and `padding` sections of tokenizer.json, if it had them.
    public let savedTruncation: TruncationSettings?
    public let savedPadding: PaddingSettings?
    /// Whether `decode` applies transformers' `clean_up_tokenization` (" ." -> ".", " ' " -> "'", ...).
    public let cleanUpTokenizationSpaces: Bool

    /// The normalizer stage.
    public var normalizer: BertNormalizer { pipeline.normalizer }
    /// The WordPiece model stage (vocabulary and segmentation settings).
    public var model: WordPieceModel { pipeline.model }

    /// Assembles a tokenizer from its stages; `file` names the configuration in errors.
    init(
        normalizer: BertNormalizer, model: WordPieceModel, postProcessor: PostProcessor, decoder: WordPieceDecoder?,
        addedTokens: [AddedToken], specialTokenNames: SpecialTokenNames, padding: (id: Int32?, typeId: Int32),
        modelMaxLength: Int?, savedTruncation: TruncationSettings?, savedPadding: PaddingSettings?,
        cleanUpTokenizationSpaces: Bool, file: String
    ) throws(TokenizerError) {
        var tokenStrings = model.tokens
        for token in addedTokens {
            if Int(token.id) >= tokenStrings.count {
                tokenStrings += Array(repeating: "", count: Int(token.id) + 1 - tokenStrings.count)
            }
            tokenStrings[Int(token.id)] = token.content
        }
        func id(of token: String, role: String) throws(TokenizerError) -> Int32 {
            if let added = addedTokens.first(where: { $0.content == token }) { return added.id }
            guard let id = model.id(of: token) else { throw .missingToken(file: file, token: token, role: role) }
            return id
        }
        self.pipeline = TokenizationPipeline(
            normalizer: normalizer, preTokenizer: BertPreTokenizer(), model: model, addedTokens: addedTokens)
        self.postProcessor = postProcessor
        self.decoder = decoder
        self.addedTokens = addedTokens
        self.specialTokenNames = specialTokenNames
        self.tokenStrings = tokenStrings
        self.specialTokenStrings = Set(addedTokens.filter(\.special).map(\.content))
        self.vocabularySize = tokenStrings.count
        self.unkId = model.unknownId
        self.sepId = try id(of: specialTokenNames.separator, role: "separator")
        self.clsId = try id(of: specialTokenNames.classifier, role: "classifier")
        if let padId = padding.id {
            self.padId = padId
        } else {
            self.padId = try id(of: specialTokenNames.padding, role: "padding")
        }
        self.maskId = try? id(of: specialTokenNames.mask, role: "mask")
        self.padTypeId = padding.typeId
        self.modelMaxLength = modelMaxLength
        self.savedTruncation = savedTruncation
        self.savedPadding = savedPadding
        self.cleanUpTokenizationSpaces = cleanUpTokenizationSpaces
    }

    /// A BERT tokenizer over `vocabulary` (token strings in id order, as in vocab.txt), configured as
    /// transformers configures `BertTokenizerFast` from a vocab.txt: the special tokens are matched verbatim in
    /// the text, `[CLS] A [SEP] (B [SEP])`, and `##` continuation pieces.
    public convenience init(
        vocabulary: [String], normalizer: BertNormalizer = BertNormalizer(),
        specialTokenNames: SpecialTokenNames = SpecialTokenNames(), modelMaxLength: Int? = nil
    ) throws {
        try self.init(
            vocabulary: vocabulary, normalizer: normalizer, specialTokenNames: specialTokenNames,
            extraAddedTokens: [], modelMaxLength: modelMaxLength, cleanUpTokenizationSpaces: true, file: "vocabulary")
    }

    /// The id of `token`, if the vocabulary (or the added tokens) has it.
    public func id(of token: String) -> Int32? {
        addedTokens.first(where: { $0.content == token })?.id ?? model.id(of: token)
    }

    /// The string of `id`, if the id is used.
    public func token(of id: Int32) -> String? {
        guard id >= 0, Int(id) < tokenStrings.count, !tokenStrings[Int(id)].isEmpty else { return nil }
        return tokenStrings[Int(id)]
    }

    /// Encodes one text, or a pair of texts (question and context, premise and hypothesis, ...).
    ///
    /// - Parameters:
    ///   - maxLength: When given, the result has at most this many tokens, special tokens included; tokens are
    ///     removed from the end of the sequence(s) `truncation` chooses.
    ///   - padToMaxLength: Pad to `maxLength` (pad id, type id `padTypeId`, attention mask 0, offsets `0..<0`).
    public func encode(
        _ text: String, pair: String? = nil, maxLength: Int? = nil, truncation: TruncationStrategy = .longestFirst,
        padToMaxLength: Bool = false
    ) -> Encoding {
        var first = pipeline.tokenize(text)
        var second = pair.map(pipeline.tokenize)
        if let maxLength {
            truncation.truncate(&first, &second, toFit: maxLength - postProcessor.addedTokenCount(pair: second != nil))
        }
        var encoding = postProcessor.assemble(first, second, tokenStrings: tokenStrings)
        if padToMaxLength, let maxLength { pad(&encoding, to: maxLength) }
        return encoding
    }

    /// Encodes many texts (or pairs: `pairs[i]` goes with `texts[i]`, and the two arrays must be as long),
    /// truncating each as `encode` does and padding them as `padding` says.
    public func encodeBatch(
        _ texts: [String], pairs: [String]? = nil, maxLength: Int? = nil,
        truncation: TruncationStrategy = .longestFirst, padding: Padding = .longest
    ) -> [Encoding] {
        precondition(
            pairs == nil || pairs?.count == texts.count,
            "encodeBatch: \(texts.count) texts but \(pairs?.count ?? 0) pairs")
        var encodings = texts.indices.map { index in
            encode(texts[index], pair: pairs?[index], maxLength: maxLength, truncation: truncation)
        }
        let target: Int?
        switch padding {
        case .none: target = nil
        case .longest: target = encodings.map(\.count).max()
        case .maxLength: target = maxLength
        }
        if let target {
            for index in encodings.indices { pad(&encodings[index], to: target) }
        }
        return encodings
    }

    /// Appends padding until `encoding` has `length` positions.
    public func pad(_ encoding: inout Encoding, to length: Int) {
        let missing = length - encoding.count
        guard missing > 0 else { return }
        encoding.ids += repeatElement(padId, count: missing)
        encoding.typeIds += repeatElement(padTypeId, count: missing)
        encoding.attentionMask += repeatElement(0, count: missing)
        encoding.specialTokensMask += repeatElement(1, count: missing)
        encoding.tokens += repeatElement(specialTokenNames.padding, count: missing)
        encoding.offsets += repeatElement(0..<0, count: missing)
    }

    /// Turns ids back into text as transformers' `decode` does: special tokens dropped when asked, continuation
    /// pieces glued to the piece before them, and (with `cleanUpTokenizationSpaces`) spaces before punctuation
    /// and contractions removed. Unknown ids are skipped.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = true) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let token = token(of: id) else { continue }
            if skipSpecialTokens && specialTokenStrings.contains(token) { continue }
            tokens.append(token)
        }
        let text = decoder?.decode(tokens) ?? tokens.joined(separator: " ")
        return cleanUpTokenizationSpaces
            ? WordPieceDecoder.cleanUp(text, rules: WordPieceDecoder.transformersRules) : text
    }
}
