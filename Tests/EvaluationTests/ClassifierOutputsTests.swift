import Datasets
import Evaluation
import Foundation
import Testing

@Suite struct ClassifierOutputsTests {
    let outputs = ClassifierOutputs(logits: [1, 3, 2, 2, 0, -1, 5, 4, 4.5], labelCount: 3)

    @Test func predictedClassesTakeTheFirstLargestLogit() {
        #expect(outputs.count == 3)
        #expect(outputs.predictedClasses == [1, 0, 0])
        #expect(Array(outputs.logits(of: 2)) == [5, 4, 4.5])
    }

    @Test func probabilitiesAndCrossEntropyAreASoftmax() {
        let p = outputs.probabilities(of: 0)
        let total = exp(1.0) + exp(3.0) + exp(2.0)
        #expect(abs(p[0] - exp(1.0) / total) < 1e-12 && abs(p[1] - exp(3.0) / total) < 1e-12)
        #expect(abs(p.reduce(0, +) - 1) < 1e-12)
        #expect(abs(outputs.crossEntropy(row: 0, label: 2) + log(exp(2.0) / total)) < 1e-12)
        // Stable for large logits, where exp overflows.
        let large = ClassifierOutputs(logits: [1000, 0], labelCount: 2)
        #expect(abs(large.crossEntropy(row: 0, label: 1) - 1000) < 1e-9)
    }

    @Test func scoresComputeTheTaskMetricsAndTheLoss() throws {
        let labels: [Label?] = [.classIndex(1), .classIndex(2), .classIndex(0)]
        let scores = try ClassifierEvaluator.scores(of: outputs, labels: labels, metrics: [.accuracy, .macroF1])
        #expect(scores.metricValues[.accuracy] == 2.0 / 3)
        #expect(scores.primaryValue == 2.0 / 3)
        let expectedLoss = (0..<3).reduce(0.0) { total, row in
            guard case .classIndex(let label) = labels[row] else { return total }
            return total + outputs.crossEntropy(row: row, label: label)
        } / 3
        #expect(abs(scores.loss - expectedLoss) < 1e-12)
        #expect(Set(scores.values.keys) == ["accuracy", "macro_f1", "loss"])
        #expect(scores.exampleCount == 3)
    }

    @Test func regressionOutputsAreScoredByCorrelation() throws {
        let values = ClassifierOutputs(logits: [1, 2, 3, 5], labelCount: 1)
        let scores = try ClassifierEvaluator.scores(
            of: values, labels: [.value(2), .value(4), .value(6), .value(10)], metrics: [.pearson, .spearman])
        #expect(abs((scores.metricValues[.pearson] ?? 0) - 1) < 1e-12 && scores.metricValues[.spearman] == 1)
        #expect(scores.loss == (1 + 4 + 9 + 25) / 4.0)
    }

    @Test func labelsAndMetricsThatDoNotFitTheHeadAreErrors() {
        #expect(throws: EvaluationError.metricDoesNotApply(.pearson, regression: false)) {
            try ClassifierEvaluator.scores(of: outputs, labels: [nil, nil, nil], metrics: [.pearson])
        }
        #expect(throws: EvaluationError.unlabelledExample(index: 1)) {
            try ClassifierEvaluator.scores(of: outputs, labels: [.classIndex(0), nil, .classIndex(0)], metrics: [.accuracy])
        }
        #expect(throws: EvaluationError.labelDoesNotFitHead(index: 2, label: "class 3", labelCount: 3)) {
            try ClassifierEvaluator.scores(
                of: outputs, labels: [.classIndex(0), .classIndex(0), .classIndex(3)], metrics: [.accuracy])
        }
        #expect(EvaluationError.unlabelledExample(index: 1).description == "example 1 has no label")
    }
}
