/// How much each attention head and feed-forward neuron of a model matters, layer by layer (higher matters more).
public struct ImportanceScores: Sendable, Equatable {
    /// `heads[layer][head]`.
    public var heads: [[Double]]
    /// `neurons[layer][neuron]`.
    public var neurons: [[Double]]

    public init(heads: [[Double]], neurons: [[Double]]) {
        self.heads = heads
        self.neurons = neurons
    }

    /// Each layer's head scores divided by their Euclidean norm, so that layers whose gradients differ in scale
    /// compare (Michel et al. 2019, section 4.2); a layer of zeros stays zeros.
    public var normalizingHeadsPerLayer: ImportanceScores {
        var result = self
        result.heads = heads.map { layer in
            let norm = layer.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? layer.map { $0 / norm } : layer
        }
        return result
    }
}

/// Sums per-example scores of every head and neuron, for a mean over the data.
struct ImportanceSums {
    private(set) var scores: ImportanceScores
    private(set) var exampleCount = 0

    /// Zeros for layers of these head and neuron counts.
    init(headCounts: [Int], neuronCounts: [Int]) {
        scores = ImportanceScores(heads: headCounts.map { Array(repeating: 0, count: $0) },
                                  neurons: neuronCounts.map { Array(repeating: 0, count: $0) })
    }

    /// Adds one batch: per layer, `[batch][head]` and `[batch][neuron]` scores of its examples.
    mutating func add(heads: [[[Double]]], neurons: [[[Double]]], examples: Int) {
        for (layer, rows) in heads.enumerated() { Self.accumulate(rows, into: &scores.heads[layer]) }
        for (layer, rows) in neurons.enumerated() { Self.accumulate(rows, into: &scores.neurons[layer]) }
        exampleCount += examples
    }

    /// The mean over the examples added.
    var mean: ImportanceScores {
        let scale = 1 / Double(max(exampleCount, 1))
        return ImportanceScores(heads: scores.heads.map { $0.map { $0 * scale } },
                                neurons: scores.neurons.map { $0.map { $0 * scale } })
    }

    private static func accumulate(_ rows: [[Double]], into total: inout [Double]) {
        for row in rows {
            for (index, value) in row.enumerated() { total[index] += value }
        }
    }
}
