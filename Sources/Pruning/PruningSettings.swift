/// Where the least important heads (or neurons) are taken from.
public enum PruningScope: String, Sendable, CaseIterable, Codable {
    /// One ranking over the whole model: layers may end with different counts.
    case global
    /// Each layer keeps the same fraction of its own.
    case perLayer = "per-layer"
}

/// How much of a model structured pruning keeps, and in how many steps.
public struct PruningSettings: Sendable, Equatable {
    /// The fraction of the attention heads kept, in (0, 1]; every layer keeps at least one.
    public var headsKept: Double
    /// The fraction of the feed-forward neurons kept, in (0, 1]; every layer keeps at least one.
    public var neuronsKept: Double
    /// The target is reached in this many steps, the scores recomputed on the smaller model before each.
    public var iterations: Int
    public var scope: PruningScope

    public init(headsKept: Double, neuronsKept: Double, iterations: Int = 1, scope: PruningScope = .global) {
        self.headsKept = headsKept
        self.neuronsKept = neuronsKept
        self.iterations = iterations
        self.scope = scope
    }

    /// Checks the fractions and the number of steps.
    public func validate() throws(PruningSettingsError) {
        for (part, value) in [(PrunedPart.heads, headsKept), (.neurons, neuronsKept)] where !(value > 0 && value <= 1) {
            throw .keptFractionOutOfRange(part, value)
        }
        if iterations < 1 { throw .iterationsNotPositive(iterations) }
    }
}

/// The two kinds of structure pruning removes.
public enum PrunedPart: String, Sendable {
    case heads
    case neurons = "feed-forward neurons"
}

/// Settings that cannot be applied.
public enum PruningSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    case keptFractionOutOfRange(PrunedPart, Double)
    case iterationsNotPositive(Int)

    public var description: String {
        switch self {
        case let .keptFractionOutOfRange(part, value): "the fraction of \(part.rawValue) kept must be in (0, 1], got \(value)"
        case .iterationsNotPositive(let count): "the number of pruning steps must be at least 1, got \(count)"
        }
    }
}
