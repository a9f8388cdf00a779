import Foundation

/// What data code and commands need of a tokenizer: text to ids (one text or a pair, truncated), the special
/// ids, the vocabulary size, ids back to text, and saving next to a model. ``BertTokenizer`` is the one
/// implementation today; a tokenizer of another family (GPT-2's byte-level BPE, ...) is a new conforming type.
public protocol Tokenizer: AnyObject, Sendable {
    /// Number of ids (the largest id plus one).
    var vocabularySize: Int { get }
    /// The id written at padding positions.
    var padId: Int32 { get }
    /// The id of the token that starts a sequence (`[CLS]`, `<s>`).
    var clsId: Int32 { get }
    /// The id of the token that ends a text (`[SEP]`, `</s>`).
    var sepId: Int32 { get }
    /// The id of unknown pieces.
    var unkId: Int32 { get }
    /// The id of the mask token, `nil` when the vocabulary has none.
    var maskId: Int32? { get }
    /// Every special token's id (as transformers' `all_special_ids`): never masked or predicted as text.
    var specialTokenIds: Set<Int32> { get }

    /// Encodes one text, or a pair of texts, with special tokens. With `maxLength` the result has at most that
    /// many tokens, special tokens included, removed as `truncation` says; `padToMaxLength` then pads to it.
    func encode(
        _ text: String, pair: String?, maxLength: Int?, truncation: TruncationStrategy, padToMaxLength: Bool
    ) -> Encoding

    /// Turns ids back into text, dropping special tokens when asked.
    func decode(_ ids: [Int32], skipSpecialTokens: Bool) -> String

    /// Writes the tokenizer's files into `directory`, so that it loads back to the same tokenizer.
    func save(to directory: URL) throws(TokenizerError)
}

extension BertTokenizer: Tokenizer {
    public var specialTokenIds: Set<Int32> { Set(addedTokens.filter(\.special).map(\.id)) }
}
