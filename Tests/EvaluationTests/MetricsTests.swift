import Evaluation
import Testing

/// Expected values were computed by hand from the confusion counts and cross-checked with NumPy and
/// `scipy.stats.pearsonr` / `spearmanr` / `rankdata`.
@Suite struct MetricsTests {
    private func close(_ a: Double?, _ b: Double, tolerance: Double = 1e-12) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance
    }

    // TP 4, FN 2, TN 3, FP 1.
    private let binaryLabels = [1, 0, 1, 1, 0, 1, 0, 0, 1, 1]
    private let binaryPredictions = [1, 0, 0, 1, 0, 1, 1, 0, 1, 0]

    @Test func binaryClassificationScores() {
        let inputs = MetricInputs.classes(predictions: binaryPredictions, labels: binaryLabels)
        #expect(close(Metric.accuracy.value(on: inputs), 0.7))
        #expect(close(Metric.f1.value(on: inputs), 8.0 / 11.0))  // 0.7272727272727273
        #expect(close(Metric.mcc.value(on: inputs), 10 / 600.0.squareRoot()))  // 0.408248290463863
        #expect(close(Metric.mcc.value(on: inputs), 0.408248290463863))
    }

    @Test func multiClassScores() {
        let labels = [0, 1, 2, 2, 1, 0, 2, 1]
        let predictions = [0, 2, 2, 2, 1, 0, 1, 0]
        let inputs = MetricInputs.classes(predictions: predictions, labels: labels)
        #expect(close(Metric.accuracy.value(on: inputs), 0.625))
        // Per-class F1: 4/5, 2/5, 4/6.
        #expect(close(Metric.macroF1.value(on: inputs), 0.6222222222222222))
        #expect(close(Metric.mcc.value(on: inputs), 0.4523809523809524))
    }

    @Test func degenerateClassificationCases() {
        // No positive labels or predictions: F1 and MCC fall back to 0 like scikit-learn.
        #expect(ClassificationScores.f1(predictions: [0, 0], labels: [0, 0], positiveClass: 1) == 0)
        #expect(ClassificationScores.matthewsCorrelation(predictions: [1, 1, 1], labels: [0, 1, 1]) == 0)
        #expect(ClassificationScores.accuracy(predictions: [], labels: []).isNaN)
        #expect(ClassificationScores.matthewsCorrelation(predictions: [0, 1, 0], labels: [1, 0, 1]) == -1)
        #expect(ClassificationScores.f1(predictions: [2, 2], labels: [2, 0], positiveClass: 2) == 2.0 / 3.0)
    }

    @Test func correlationsWithTies() {
        let x: [Double] = [1, 2, 2, 3, 5, 5, 5, 8]
        let y: [Double] = [2.5, 1, 3, 3, 4, 7, 6.5, 9]
        #expect(Correlation.averageRanks(x) == [1, 2.5, 2.5, 4, 6, 6, 6, 8])
        #expect(Correlation.averageRanks(y) == [2, 1, 3.5, 3.5, 5, 7, 6, 8])
        let inputs = MetricInputs.values(predictions: x, targets: y)
        #expect(close(Metric.pearson.value(on: inputs), 0.9064157986992745))
        #expect(close(Metric.spearman.value(on: inputs), 0.9200335844703181))
    }

    @Test func negativeAndDegenerateCorrelations() {
        let x = [0.1, 0.4, 0.35, 0.8], y = [3.0, 1.0, 2.0, -1.0]
        #expect(close(Correlation.pearson(x, y), -0.9851430923690204))
        #expect(close(Correlation.spearman(x, y), -1))
        #expect(Correlation.pearson([1, 1, 1], [1, 2, 3]).isNaN)
        #expect(Correlation.pearson([1], [2]).isNaN)
        #expect(Correlation.spearman([1, .nan, 3], [1, 2, 3]).isNaN)
        #expect(Correlation.pearson([1, 2, 3], [2, 4, 6]) == 1)
    }

    @Test func metricsOnlyApplyToMatchingInputs() {
        let classes = MetricInputs.classes(predictions: [1], labels: [1])
        let values = MetricInputs.values(predictions: [1, 2], targets: [1, 3])
        #expect(Metric.pearson.value(on: classes) == nil)
        #expect(Metric.accuracy.value(on: values) == nil)
        let evaluated = Metric.evaluate([.accuracy, .pearson, .f1], on: classes)
        #expect(evaluated.map(\.metric) == [.accuracy, .f1])
        #expect(evaluated.map(\.value) == [1, 1])
    }

    @Test func namesAndTaskDefaults() {
        #expect(Metric.allCases.map(\.rawValue) == ["accuracy", "f1", "macro_f1", "mcc", "pearson", "spearman"])
        #expect(Metric(rawValue: "mcc") == .mcc)
        #expect(Metric.defaults(forTask: "cola", regression: false) == [.mcc])
        #expect(Metric.defaults(forTask: "SST-2", regression: false) == [.accuracy])
        #expect(Metric.defaults(forTask: "mrpc", regression: false) == [.accuracy, .f1])
        #expect(Metric.defaults(forTask: "qqp", regression: false) == [.accuracy, .f1])
        #expect(Metric.defaults(forTask: "sts-b", regression: true) == [.pearson, .spearman])
        #expect(Metric.defaults(forTask: "mnli_mismatched", regression: false) == [.accuracy])
        #expect(Metric.defaults(forTask: "my-reviews", regression: false) == [.accuracy])
        #expect(Metric.defaults(forTask: nil, regression: true) == [.pearson, .spearman])
    }
}
