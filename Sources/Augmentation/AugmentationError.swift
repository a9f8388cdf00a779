/// A setting of ``AugmentationSettings``, named in errors.
public enum AugmentationSetting: Sendable, Equatable, CustomStringConvertible {
    case variantsPerExample, candidatesPerWord, replacementProbability, batchSize

    public var description: String {
        switch self {
        case .variantsPerExample: "the number of variants per example"
        case .candidatesPerWord: "the number of candidates per word"
        case .replacementProbability: "the replacement probability"
        case .batchSize: "the batch size"
        }
    }
}

/// Why data augmentation cannot run.
public enum AugmentationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The teacher checkpoint holds no masked-LM head (a base model or a classifier): these weights are missing.
    case teacherHasNoMaskedLanguageModelHead(directory: String, missing: [String])
    /// The teacher's vocabulary has no mask token to mask words with.
    case noMaskToken(directory: String)
    /// The tokenizer has ids the model has no embedding for.
    case vocabularyMismatch(directory: String, tokenizer: Int, model: Int)
    case invalidSetting(AugmentationSetting, String)
    /// A row the reader accepted could not be found again when writing (the file changed while being read).
    case rowNotFound(path: String, line: Int)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .teacherHasNoMaskedLanguageModelHead(directory, missing):
            "\(directory): the teacher has no masked-LM head (no \(missing.prefix(4).joined(separator: ", "))"
                + "\(missing.count > 4 ? ", ..." : "")), which predicts the replacements of masked words; "
                + "train one on unlabelled text first"
        case .noMaskToken(let directory): "\(directory): the tokenizer has no mask token"
        case let .vocabularyMismatch(directory, tokenizer, model):
            "\(directory): the tokenizer has \(tokenizer) ids but the model embeds only \(model) (vocab_size)"
        case .invalidSetting(let setting, let rule): "\(setting) \(rule)"
        case let .rowNotFound(path, line): "\(path):\(line): the row changed while the file was being read"
        case let .writeFailed(path, reason): "\(path): cannot write (\(reason))"
        }
    }
}
