import Datasets
import Evaluation
import Models
import Pruning
import Testing

@Suite struct PruningSweepTests {
    /// One point per measure and fraction; removing nothing scores the original model; every layer keeps a head.
    @Test func pointsForEveryMeasureAndFraction() throws {
        let model = toyClassifier()
        let batcher = try toyBatcher()
        let evaluator = try ClassifierEvaluator(examples: batcher.examples, metrics: [.accuracy], batchSize: 4, padId: 0,
                                                maxLength: 24)
        let points = try PruningSweep.run(
            model, measures: [GradientImportance(), RandomImportance(seed: 2)], scoringData: batcher, evaluator: evaluator,
            headsRemoved: [0, 0.5, 0.9], scope: .global)
        #expect(points.map(\.importance) == ["gradient", "gradient", "gradient", "random", "random", "random"])
        #expect(points.map(\.headsRemoved) == [0, 0.5, 0.5, 0, 0.5, 0.5], "0.9 of 4 heads still leaves one per layer")
        #expect(points.allSatisfy { $0.heads.allSatisfy { $0 >= 1 } })
        let original = try evaluator.evaluate(model).primaryValue
        #expect(points.filter { $0.headsRemoved == 0 }.allSatisfy { $0.metric == original })

        let svg = SweepChart(points: points, metricName: "accuracy", title: "toy <sweep> & co").svg
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains("toy &lt;sweep&gt; &amp; co") && svg.contains(">gradient<") && svg.contains(">random<"))
    }
}
