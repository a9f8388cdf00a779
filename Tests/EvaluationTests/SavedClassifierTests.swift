import Datasets
import Evaluation
import Foundation
import Models
import Testing

@Suite struct SavedClassifierTests {
    @Test func predictionsNameTheArgmaxClassWithItsProbability() throws {
        let directory = try TinyClassifierDirectory()
        let classifier = try SavedClassifier(directory: directory.url)
        #expect(classifier.labels?.names == ["NEGATIVE", "POSITIVE"] && !classifier.isRegression)
        #expect(classifier.maxLength == 40)
        let texts = ["the movie was good", "bad", "awful plot", "great great great movie", "the"]
        let predictions = try ClassifierPredictor(classifier: classifier, batchSize: 2).predict(texts.map { ($0, nil) })
        #expect(predictions.count == texts.count)
        for (text, prediction) in zip(texts, predictions) {
            let logits = directory.logits(text).map(Double.init)
            let best = logits[1] > logits[0] ? 1 : 0
            #expect(prediction.label == ["NEGATIVE", "POSITIVE"][best])
            let probability = exp(logits[best]) / (exp(logits[0]) + exp(logits[1]))
            #expect(abs(prediction.score - probability) < 1e-5)
        }
        #expect(try ClassifierPredictor(classifier: classifier).predict([]).isEmpty)
    }

    @Test func aRegressionHeadPredictsItsValue() throws {
        let directory = try TinyClassifierDirectory(regression: true)
        let classifier = try SavedClassifier(directory: directory.url)
        #expect(classifier.isRegression)
        let prediction = try #require(try ClassifierPredictor(classifier: classifier).predict([("good movie", nil)]).first)
        #expect(prediction.label == nil)
        #expect(abs(prediction.score - Double(directory.logits("good movie")[0])) < 1e-5)
    }

    @Test func evaluationReportsMetricsSizeAndSpeed() throws {
        let directory = try TinyClassifierDirectory()
        let rows = ["the movie was good\t1", "bad\t0", "awful plot\t0", "great\t1", "the plot was bad\t0", "good\t1"]
        let path = try directory.write("dev.tsv", ["sentence\tlabel"] + rows)
        var settings = ModelEvaluationSettings(task: "mrpc")
        settings.batchSize = 4
        settings.latencyExamples = 3
        let classifier = try SavedClassifier(directory: directory.url)
        let report = try ModelEvaluation.run(classifier, dataPath: path, settings: settings)

        let predicted = rows.map { row -> Int in
            let logits = directory.logits(String(row.split(separator: "\t")[0]))
            return logits[1] > logits[0] ? 1 : 0
        }
        let labels = rows.map { Int(String($0.split(separator: "\t")[1])) ?? -1 }
        let accuracy = Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(rows.count)
        #expect(report.examples == 6)
        #expect(report.metrics["accuracy"] == accuracy)
        #expect(report.metrics.keys.sorted() == ["accuracy", "f1"])
        #expect(report.footprint.parameterCount == directory.model.parameterCount)
        let weightFile = directory.url.appendingPathComponent("model.safetensors").path
        #expect(report.footprint.weightBytes == (try FileManager.default.attributesOfItem(atPath: weightFile)[.size] as? Int))
        #expect(report.latency.examples == 3 && report.latency.medianMilliseconds > 0)
        #expect(report.latency.p90Milliseconds >= report.latency.medianMilliseconds)
        #expect(report.throughput.examples == 6 && report.throughput.batchSize == 4)
        #expect(report.throughput.examplesPerSecond > 0 && report.throughput.tokensPerSecond > report.throughput.examplesPerSecond)

        #expect(report.rounds == [InferenceSpeed.Round(latency: report.latency, throughput: report.throughput)])

        let json = try JSONEncoder().encode([report])
        let decoded = try JSONDecoder().decode([ModelEvaluationReport].self, from: json)
        #expect(decoded == [report])
    }

    /// More timing rounds: the report keeps each and gives the median round's figures.
    @Test func moreRoundsReportTheMedianRound() throws {
        let directory = try TinyClassifierDirectory()
        let path = try directory.write("dev.tsv", ["sentence\tlabel", "the movie was good\t1", "bad\t0", "awful plot\t0"])
        var settings = ModelEvaluationSettings(task: "sst2")
        settings.batchSize = 2
        settings.latencyExamples = 2
        let classifier = try SavedClassifier(directory: directory.url)
        var report = try ModelEvaluation.run(classifier, dataPath: path, settings: settings)
        let first = report
        for _ in 0..<2 { report.addRound(try ModelEvaluation.timeAgain(classifier, dataPath: path, settings: settings)) }
        #expect(report.rounds.count == 3 && report.rounds[0] == first.rounds[0])
        #expect(report.metrics == first.metrics && report.loss == first.loss)
        func middle(_ value: (InferenceSpeed.Round) -> Double) -> Double { report.rounds.map(value).sorted()[1] }
        #expect(report.throughput.examplesPerSecond == middle(\.throughput.examplesPerSecond))
        #expect(report.throughput.tokensPerSecond == middle(\.throughput.tokensPerSecond))
        #expect(report.latency.medianMilliseconds == middle(\.latency.medianMilliseconds))
        #expect(report.latency.p90Milliseconds == middle(\.latency.p90Milliseconds))
        #expect(report.rounds.allSatisfy { $0.throughput.examples == 3 && $0.latency.examples == 2 })
    }

    /// A model directory reached through a symbolic link (as experiment scripts link their teacher) has its
    /// weight files counted.
    @Test func aLinkedDirectoryHasItsWeightFilesCounted() throws {
        let directory = try TinyClassifierDirectory()
        let link = FileManager.default.temporaryDirectory.appendingPathComponent("EvaluationTests-link-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: link) }
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: directory.url)
        let config = try ModelConfig(contentsOf: link.appendingPathComponent("config.json"))
        let direct = try ModelFootprint(model: directory.model, config: config, directory: directory.url)
        #expect(try ModelFootprint(model: directory.model, config: config, directory: link) == direct)
        #expect(direct.weightBytes > 0)
    }

    @Test func throughputReturnsTheSameOutputsAsAPlainPass() throws {
        let directory = try TinyClassifierDirectory()
        let examples = ["good", "the movie was bad", "plot"].enumerated().map { index, text in
            let encoding = directory.tokenizer.encode(text)
            return TokenizedExample(ids: encoding.ids, label: nil, index: index)
        }
        let batcher = try Batcher(examples: examples, batchSize: 2, padId: 0, maxLength: 40)
        let (throughput, outputs) = try InferenceSpeed.throughput(of: directory.model, batcher: batcher)
        #expect(throughput.examples == 3)
        let plain = ClassifierInference.run(directory.model, on: batcher)
        #expect(outputs == plain)
        for (row, text) in ["good", "the movie was bad", "plot"].enumerated() {
            for (a, b) in zip(plain.logits(of: row), directory.logits(text)) { #expect(abs(a - b) < 1e-5) }
        }
    }
}
