import Foundation

/// The logits a sequence classifier produced for a list of examples, one row per example in list order.
public struct ClassifierOutputs: Sendable, Equatable {
    /// Row-major `[count, labelCount]` logits.
    public let logits: [Float]
    /// Logits per example: the number of classes, or 1 for a regression head.
    public let labelCount: Int

    /// Creates outputs from row-major logits.
    public init(logits: [Float], labelCount: Int) {
        precondition(labelCount > 0 && logits.count % labelCount == 0, "\(logits.count) logits for \(labelCount) labels")
        self.logits = logits
        self.labelCount = labelCount
    }

    /// The number of examples.
    public var count: Int { logits.count / labelCount }

    /// The logits of example `row`.
    public func logits(of row: Int) -> ArraySlice<Float> {
        logits[(row * labelCount)..<((row + 1) * labelCount)]
    }

    /// The index of the largest logit of each example (the first one on ties, as `argmax` does).
    public var predictedClasses: [Int] {
        (0..<count).map { row in
            let scores = logits(of: row)
            var best = scores.startIndex
            for index in scores.indices where scores[index] > scores[best] { best = index }
            return best - scores.startIndex
        }
    }

    /// Softmax of example `row`'s logits.
    public func probabilities(of row: Int) -> [Double] {
        let scores = logits(of: row).map(Double.init)
        let largest = scores.max() ?? 0
        let exponentials = scores.map { Foundation.exp($0 - largest) }
        let total = exponentials.reduce(0, +)
        return exponentials.map { $0 / total }
    }

    /// −log softmax(logits of `row`)[`label`], computed stably as logsumexp − logit.
    public func crossEntropy(row: Int, label: Int) -> Double {
        let scores = logits(of: row).map(Double.init)
        let largest = scores.max() ?? 0
        let logSumExp = largest + Foundation.log(scores.reduce(0) { $0 + Foundation.exp($1 - largest) })
        return logSumExp - scores[label]
    }

    /// The predicted value of each example, for a regression head (its single logit).
    public var values: [Double] {
        precondition(labelCount == 1, "values are the outputs of a one-logit regression head")
        return logits.map(Double.init)
    }
}
