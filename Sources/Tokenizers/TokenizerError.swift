import JSON

/// Why a tokenizer could not be loaded or saved. Every message names the file (and key) at fault.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// The directory holds neither `tokenizer.json` nor `vocab.txt`.
    case noTokenizerFiles(directory: String)
    /// A file exists but could not be read (or written, for `save`).
    case unreadableFile(file: String, reason: String)
    /// A JSON file is not valid JSON, or its top level is not an object.
    case malformedJSON(file: String, reason: String)
    /// A required key is absent.
    case missingKey(file: String, key: String)
    /// A key holds a value of the wrong kind or out of range.
    case invalidValue(file: String, key: String, reason: String)
    /// A pipeline stage (normalizer, pre-tokenizer, model, post-processor, decoder) names a type this
    /// implementation does not provide.
    case unsupportedStage(file: String, stage: String, type: String)
    /// An added token uses an option this implementation does not provide.
    case unsupportedAddedToken(file: String, token: String, reason: String)
    /// A token the configuration refers to (unknown, separator, ...) is not in the vocabulary.
    case missingToken(file: String, token: String, role: String)
    /// Writing the tokenizer files failed.
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case .noTokenizerFiles(let directory):
            return "\(directory): no tokenizer.json or vocab.txt found"
        case .unreadableFile(let file, let reason):
            return "\(file): cannot be read: \(reason)"
        case .malformedJSON(let file, let reason):
            return "\(file): malformed JSON: \(reason)"
        case .missingKey(let file, let key):
            return "\(file): missing key \"\(key.errorExcerpt())\""
        case .invalidValue(let file, let key, let reason):
            return "\(file): invalid value for \"\(key.errorExcerpt())\": \(reason)"
        case .unsupportedStage(let file, let stage, let type):
            return "\(file): unsupported \(stage) type \"\(type.errorExcerpt())\""
        case .unsupportedAddedToken(let file, let token, let reason):
            return "\(file): unsupported added token \"\(token.errorExcerpt())\": \(reason)"
        case .missingToken(let file, let token, let role):
            return "\(file): the \(role) token \"\(token.errorExcerpt())\" is not in the vocabulary"
        case .writeFailed(let file, let reason):
            return "\(file): cannot be written: \(reason)"
        }
    }
}
