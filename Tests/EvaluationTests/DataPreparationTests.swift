import Datasets
import Evaluation
import Foundation
import Testing
import Tokenizers

@Suite struct DataPreparationTests {
    @Test func tokenizedExamplesMatchTheTokenizerAndKeepLabelsAndPositions() throws {
        let directory = try TinyClassifierDirectory()
        let path = try directory.write("pairs.tsv", [
            "sentence1\tsentence2\tlabel", "the movie\twas good\t1", "bad plot\tthe the the the the the\t0",
        ])
        let dataset = try LabelledTextReader.read(path: path)
        let examples = dataset.tokenized(with: directory.tokenizer, maxLength: 6)
        #expect(examples.map(\.index) == [0, 1])
        #expect(examples.map(\.label) == [.classIndex(1), .classIndex(0)])
        for (example, source) in zip(examples, dataset.examples) {
            let encoding = directory.tokenizer.encode(source.text, pair: source.textPair, maxLength: 6)
            #expect(example.ids == encoding.ids && example.typeIds == encoding.typeIds)
        }
        #expect(examples[1].length == 6, "truncated to the maximum length")
        #expect(examples[0].typeIds.contains(1), "the second text has type 1")
    }

    @Test func tokenizingManyExamplesInParallelKeepsTheirOrder() throws {
        let directory = try TinyClassifierDirectory()
        let lines = (0..<2000).map { index in
            (0...(index % 7)).map { TinyClassifierDirectory.words[($0 + index) % 8] }.joined(separator: " ") + "\t\(index % 2)"
        }
        let dataset = try LabelledTextReader.read(path: try directory.write("many.tsv", ["sentence\tlabel"] + lines))
        let examples = dataset.tokenized(with: directory.tokenizer, maxLength: 16)
        #expect(examples.count == 2000)
        #expect(examples.map(\.length) == dataset.examples.map { directory.tokenizer.encode($0.text).count })
    }

    @Test func taskKindComesFromTheNameOrFromTheLabels() throws {
        #expect(LabelledDataLoading.taskKind(named: "STS-B") == .regression)
        #expect(LabelledDataLoading.taskKind(named: "sst2") == .classification)
        #expect(LabelledDataLoading.taskKind(named: "mnli_mismatched") == .classification)
        #expect(LabelledDataLoading.taskKind(named: "my-task") == nil)
        #expect(LabelledDataLoading.taskKind(named: nil) == nil)

        let directory = try TinyClassifierDirectory()
        let scores = try directory.write("scores.tsv", ["sentence\tlabel", "good\t4.5", "bad\t1", "plot\t3"])
        let regression = try LabelledDataLoading.read(path: scores, task: nil)
        #expect(regression.task == .regression && regression.examples.map(\.label) == [.value(4.5), .value(1), .value(3)])

        let classes = try directory.write("classes.tsv", ["sentence\tlabel", "good\t1", "bad\t0"])
        let classification = try LabelledDataLoading.read(path: classes, task: nil)
        #expect(classification.task == .classification && classification.labelSet?.names == ["0", "1"])

        let named = try directory.write("named.tsv", ["sentence\tlabel", "good\tpos", "bad\tneg"])
        #expect(try LabelledDataLoading.read(path: named, task: nil).labelSet?.names == ["neg", "pos"])
        let labels = try LabelSet(names: ["NEGATIVE", "POSITIVE"])
        #expect(try LabelledDataLoading.read(path: classes, task: nil, labelSet: labels).examples.map(\.label)
            == [.classIndex(1), .classIndex(0)])
    }
}

@Suite struct RegressionDetectionTests {
    @Test func aBadRowInAScoreFileIsReportedNotReadAsClasses() throws {
        let directory = try TinyClassifierDirectory()
        let path = try directory.write("scores.tsv", ["sentence\tlabel", "good\t4.5", "bad\t1.25", "plot\tn/a"])
        #expect(throws: DatasetError.self) { try LabelledDataLoading.read(path: path, task: nil) }
        do {
            _ = try LabelledDataLoading.read(path: path, task: nil)
        } catch {
            #expect(error.line == 4)
        }
    }
}
