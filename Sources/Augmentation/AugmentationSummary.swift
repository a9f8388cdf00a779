/// What an augmentation run did, written as JSON next to its output.
public struct AugmentationSummary: Sendable, Equatable, Encodable {
    public var input: String
    public var output: String
    /// Rows of the input that were augmented.
    public var rows: Int
    /// Bad rows left out of the input.
    public var skippedRows: Int
    /// Variants written (after dropping duplicates).
    public var variants: Int
    /// Draws dropped for repeating the original or an earlier variant.
    public var duplicatesDropped: Int
    /// Words masked and predicted by the teacher.
    public var maskedWords: Int
    /// Distinct words of several pieces given embedding neighbours.
    public var embeddedWords: Int
    /// Teacher forward passes.
    public var forwardPasses: Int
    /// Wall time of the augmentation, reading and writing included, in seconds.
    public var seconds: Double
    public var settings: Settings

    /// The settings as run.
    public struct Settings: Sendable, Equatable, Codable {
        public var perExample: Int
        public var candidates: Int
        public var p: Double
        public var seed: UInt64
        public var batchSize: Int

        enum CodingKeys: String, CodingKey {
            case perExample = "per_example", candidates, p, seed
            case batchSize = "batch_size"
        }
    }

    /// Input sentences per second.
    public var sentencesPerSecond: Double { Double(rows) / max(seconds, 1e-9) }
    /// Teacher forward passes per second.
    public var forwardPassesPerSecond: Double { Double(forwardPasses) / max(seconds, 1e-9) }

    enum CodingKeys: String, CodingKey {
        case input, output, rows, variants, seconds, settings
        case skippedRows = "skipped_rows", duplicatesDropped = "duplicates_dropped", maskedWords = "masked_words"
        case embeddedWords = "embedded_words", forwardPasses = "forward_passes"
        case sentencesPerSecond = "sentences_per_second", forwardPassesPerSecond = "forward_passes_per_second"
    }

    /// The stored counts and settings, and the two rates.
    public func encode(to encoder: any Encoder) throws {
        let stored: [(CodingKeys, any Encodable)] = [
            (.input, input), (.output, output), (.rows, rows), (.skippedRows, skippedRows), (.variants, variants),
            (.duplicatesDropped, duplicatesDropped), (.maskedWords, maskedWords), (.embeddedWords, embeddedWords),
            (.forwardPasses, forwardPasses), (.seconds, seconds), (.sentencesPerSecond, sentencesPerSecond),
            (.forwardPassesPerSecond, forwardPassesPerSecond), (.settings, settings),
        ]
        var container = encoder.container(keyedBy: CodingKeys.self)
        for (key, value) in stored { try container.encode(value, forKey: key) }
    }
}
