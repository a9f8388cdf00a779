import Foundation

/// An evaluation metric, named as in the GLUE benchmark and Hugging Face's `glue` metric.
public enum Metric: String, Sendable, CaseIterable, Codable {
    /// Fraction of predictions equal to the label.
    case accuracy
    /// F1 score of the positive class 1 (binary tasks such as MRPC and QQP).
    case f1
    /// Unweighted mean of the per-class F1 scores over every class that occurs in labels or predictions.
    case macroF1 = "macro_f1"
    /// Matthews correlation coefficient (CoLA), in its multi-class form, which equals the usual one for two classes.
    case mcc
    /// Pearson correlation between predicted and target values (STS-B).
    case pearson
    /// Spearman rank correlation between predicted and target values, with tied values given their average rank.
    case spearman

    /// Whether the metric compares real-valued predictions with targets (otherwise it compares classes).
    public var isRegressionMetric: Bool { self == .pearson || self == .spearman }

    /// The metrics GLUE reports for a task: CoLA → MCC; SST-2, MNLI, QNLI, RTE, WNLI → accuracy; MRPC, QQP →
    /// accuracy and F1; STS-B → Pearson and Spearman. Names are matched ignoring case and punctuation
    /// ("SST-2", "sst2", "mnli_mismatched"). For an unknown or missing task name: accuracy for classification,
    /// Pearson and Spearman for regression.
    public static func defaults(forTask task: String?, regression: Bool) -> [Metric] {
        let name = (task ?? "").lowercased().filter { $0.isLetter || $0.isNumber }
        switch name {
        case "cola": return [.mcc]
        case "mrpc", "qqp": return [.accuracy, .f1]
        case "stsb": return [.pearson, .spearman]
        case "sst2", "mnli", "mnlim", "mnlimm", "mnlimatched", "mnlimismatched", "qnli", "rte", "wnli", "hans":
            return [.accuracy]
        default: return regression ? [.pearson, .spearman] : [.accuracy]
        }
    }

    /// The metric's value on `inputs`, or `nil` if it does not apply to them (a class metric on real values or
    /// the reverse). Undefined values follow scikit-learn and SciPy: F1 and MCC are 0 when their denominator is
    /// 0; correlations of constant or too-short inputs and accuracy of no examples are NaN.
    public func value(on inputs: MetricInputs) -> Double? {
        switch (self, inputs) {
        case (.accuracy, .classes(let predictions, let labels)):
            return ClassificationScores.accuracy(predictions: predictions, labels: labels)
        case (.f1, .classes(let predictions, let labels)):
            return ClassificationScores.f1(predictions: predictions, labels: labels, positiveClass: 1)
        case (.macroF1, .classes(let predictions, let labels)):
            return ClassificationScores.macroF1(predictions: predictions, labels: labels)
        case (.mcc, .classes(let predictions, let labels)):
            return ClassificationScores.matthewsCorrelation(predictions: predictions, labels: labels)
        case (.pearson, .values(let predictions, let targets)):
            return Correlation.pearson(predictions, targets)
        case (.spearman, .values(let predictions, let targets)):
            return Correlation.spearman(predictions, targets)
        default:
            return nil
        }
    }

    /// The values of those `metrics` that apply to `inputs`, in the order given.
    public static func evaluate(_ metrics: [Metric], on inputs: MetricInputs) -> [(metric: Metric, value: Double)] {
        metrics.compactMap { metric in metric.value(on: inputs).map { (metric, $0) } }
    }
}

/// What a model predicted on an evaluation set, next to the truth.
public enum MetricInputs: Sendable, Equatable {
    /// Predicted class indices and label class indices, one per example.
    case classes(predictions: [Int], labels: [Int])
    /// Predicted real values and target values, one per example.
    case values(predictions: [Double], targets: [Double])
}

/// Scores that compare predicted classes with label classes.
public enum ClassificationScores {
    /// Fraction of predictions equal to the label; NaN for no examples.
    public static func accuracy(predictions: [Int], labels: [Int]) -> Double {
        precondition(predictions.count == labels.count, "predictions and labels differ in count")
        guard !labels.isEmpty else { return .nan }
        let correct = zip(predictions, labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        return Double(correct) / Double(labels.count)
    }

    /// F1 of `positiveClass` against all others: `2·TP / (2·TP + FP + FN)`, 0 when that denominator is 0.
    public static func f1(predictions: [Int], labels: [Int], positiveClass: Int) -> Double {
        precondition(predictions.count == labels.count, "predictions and labels differ in count")
        var truePositives = 0, falsePositives = 0, falseNegatives = 0
        for (predicted, label) in zip(predictions, labels) {
            switch (predicted == positiveClass, label == positiveClass) {
            case (true, true): truePositives += 1
            case (true, false): falsePositives += 1
            case (false, true): falseNegatives += 1
            case (false, false): break
            }
        }
        let denominator = 2 * truePositives + falsePositives + falseNegatives
        return denominator == 0 ? 0 : Double(2 * truePositives) / Double(denominator)
    }

    /// Mean of the per-class F1 over every class seen in `labels` or `predictions` (scikit-learn's
    /// `average="macro"`); NaN for no examples.
    public static func macroF1(predictions: [Int], labels: [Int]) -> Double {
        let classes = Set(predictions).union(labels)
        guard !classes.isEmpty else { return .nan }
        let total = classes.reduce(0.0) { $0 + f1(predictions: predictions, labels: labels, positiveClass: $1) }
        return total / Double(classes.count)
    }

    /// Matthews correlation coefficient in Gorodkin's multi-class form (as scikit-learn computes it):
    /// `(c·s − Σ pₖtₖ) / sqrt((s² − Σ pₖ²)(s² − Σ tₖ²))` with `c` correct predictions, `s` examples, `pₖ` and
    /// `tₖ` the times class k was predicted and was true. For two classes this is
    /// `(TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN))`. 0 when the denominator is 0.
    public static func matthewsCorrelation(predictions: [Int], labels: [Int]) -> Double {
        precondition(predictions.count == labels.count, "predictions and labels differ in count")
        var predictedCounts: [Int: Double] = [:], trueCounts: [Int: Double] = [:]
        var correct = 0.0
        for (predicted, label) in zip(predictions, labels) {
            predictedCounts[predicted, default: 0] += 1
            trueCounts[label, default: 0] += 1
            if predicted == label { correct += 1 }
        }
        let samples = Double(labels.count)
        let agreement = predictedCounts.reduce(0.0) { $0 + $1.value * (trueCounts[$1.key] ?? 0) }
        let covariance = correct * samples - agreement
        let predictedSpread = samples * samples - predictedCounts.values.reduce(0) { $0 + $1 * $1 }
        let trueSpread = samples * samples - trueCounts.values.reduce(0) { $0 + $1 * $1 }
        let denominator = (predictedSpread * trueSpread).squareRoot()
        return denominator == 0 ? 0 : covariance / denominator
    }
}

/// Correlations between real-valued predictions and targets.
public enum Correlation {
    /// Pearson's r; NaN when there are fewer than 2 values or either side is constant.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "inputs differ in count")
        guard x.count >= 2 else { return .nan }
        let count = Double(x.count)
        let meanX = x.reduce(0, +) / count, meanY = y.reduce(0, +) / count
        var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
        for (a, b) in zip(x, y) {
            let dx = a - meanX, dy = b - meanY
            covariance += dx * dy
            varianceX += dx * dx
            varianceY += dy * dy
        }
        guard varianceX > 0, varianceY > 0 else { return .nan }
        // Rounding can push |r| a hair past 1 for perfectly correlated data.
        return min(1, max(-1, covariance / (varianceX * varianceY).squareRoot()))
    }

    /// Spearman's ρ: Pearson's r of the ranks, where tied values share the average of their ranks; NaN when
    /// Pearson's r of the ranks is undefined or a value is NaN.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "inputs differ in count")
        guard !x.contains(where: \.isNaN), !y.contains(where: \.isNaN) else { return .nan }
        return pearson(averageRanks(x), averageRanks(y))
    }

    /// 1-based ranks of `values` in ascending order; a group of equal values gets the mean of the ranks it spans
    /// (SciPy's `rankdata(method="average")`).
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var groupStart = 0
        while groupStart < order.count {
            var groupEnd = groupStart + 1
            while groupEnd < order.count && values[order[groupEnd]] == values[order[groupStart]] { groupEnd += 1 }
            // Positions groupStart..<groupEnd hold ranks groupStart+1 ... groupEnd; their mean is:
            let rank = Double(groupStart + 1 + groupEnd) / 2
            for position in groupStart..<groupEnd { ranks[order[position]] = rank }
            groupStart = groupEnd
        }
        return ranks
    }
}
