/// How many variants data augmentation makes and how (TinyBERT's defaults: Jiao et al. 2020, App. A, and its
/// released `data_augmentation.py`).
public struct AugmentationSettings: Sendable, Equatable {
    /// Variants drawn per sentence, N (TinyBERT: 20); duplicates are dropped, so fewer may remain.
    public var variantsPerExample = 20
    /// Candidate replacements per word, M (TinyBERT: 15).
    public var candidatesPerWord = 15
    /// The probability that a word with candidates is replaced in a variant, p (TinyBERT: 0.4).
    public var replacementProbability = 0.4
    /// The seed of the replacement draws.
    public var seed: UInt64 = 42
    /// Masked sentences per teacher forward pass.
    public var batchSize = 64

    /// TinyBERT's settings.
    public init() {}

    /// Throws if a setting is out of range.
    public func validate() throws(AugmentationError) {
        if variantsPerExample < 0 { throw .invalidSetting(.variantsPerExample, "must be at least 0") }
        if candidatesPerWord < 1 { throw .invalidSetting(.candidatesPerWord, "must be at least 1") }
        if !(0...1).contains(replacementProbability) { throw .invalidSetting(.replacementProbability, "must be in [0, 1]") }
        if batchSize < 1 { throw .invalidSetting(.batchSize, "must be at least 1") }
    }
}
