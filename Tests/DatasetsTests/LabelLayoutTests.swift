import Datasets
import Foundation
import Testing

/// Labels of the wrong kind or of absurd size are data errors on their own line (issues 14 and 15).
@Suite struct LabelLayoutTests {
    /// 40 good rows labelled 0/1 (lines 2...41), then `extra` rows from line 42.
    private func sst2Like(_ extra: [String]) -> String {
        let good = (0..<40).map { "sentence \($0)\t\($0 % 2)" }
        return (["sentence\tlabel"] + good + extra).joined(separator: "\n") + "\n"
    }

    @Test func aNameAmongIntegerLabelsIsBlamedOnItsOwnLine() throws {
        let contents = sst2Like(["a fine movie\tmaybe"])
        let error = datasetError { try readText(contents, path: "train.tsv") }
        #expect(error == DatasetError(path: "train.tsv", line: 42, reason: .notAClassIndex("maybe", classCount: 2)))
        #expect(error?.description
            == "train.tsv:42: label 'maybe' is not a class index; the file's other labels are integer class indices 0 to 1")

        let skipping = try readText(contents, path: "train.tsv", options: .init(skipBadRows: true))
        #expect(skipping.examples.count == 40)
        #expect(skipping.labelSet?.names == ["0", "1"])
        #expect(skipping.skippedRows.firstLines == [42])
        #expect(skipping.skippedRows.description == "skipped 1 bad row of train.tsv (line 42)")
    }

    @Test func theLabelKindMostRowsUseWinsAndTiesGoToTheFirstRow() throws {
        let named = "sentence\tlabel\na\tpos\nb\t1\nc\tneg\n"
        #expect(datasetError { try readText(named, path: "n.tsv") }
            == DatasetError(path: "n.tsv", line: 3, reason: .integerAmongNamedLabels("1", names: ["neg", "pos"])))
        #expect(datasetError { try readText("sentence\tlabel\na\t0\nb\tpos\n", path: "t.tsv") }?.line == 3)
        #expect(datasetError { try readText("sentence\tlabel\na\tpos\nb\t0\n", path: "t.tsv") }?.line == 3)
    }

    @Test func givenNamesStillTakeIntegerIndicesAndSayWhatIsExpected() throws {
        let labels = try LabelSet(names: ["NEGATIVE", "POSITIVE"])
        let contents = sst2Like(["a fine movie\tmaybe"])
        let error = datasetError { try readText(contents, path: "train.tsv", options: .init(labelSet: labels)) }
        #expect(error == DatasetError(path: "train.tsv", line: 42, reason: .unknownLabel("maybe", known: labels.names)))
        #expect(error?.description == "train.tsv:42: unknown label 'maybe' (known labels: NEGATIVE, POSITIVE)")
        let mixed = try readText("sentence\tlabel\na\t1\nb\tNEGATIVE\n", path: "m.tsv", options: .init(labelSet: labels))
        #expect(mixed.examples.map(\.label) == [.classIndex(1), .classIndex(0)])
    }

    @Test(arguments: ["9223372036854775807", "3000000000", "99999999999999999999999", "1000"])
    func aHugeClassIndexIsAnErrorNotATrapOrAHugeAllocation(label: String) throws {
        let contents = "sentence\tlabel\ngood movie\t1\nbad movie\t\(label)\n"
        let error = datasetError { try readText(contents, path: "huge.tsv") }
        #expect(error == DatasetError(path: "huge.tsv", line: 3, reason: .classIndexTooLarge(label, limit: 1000)))
        #expect(error?.description == "huge.tsv:3: label '\(label)' is too large a class index: class indices must be "
            + "below 1000 (the number of labelled rows, or 1000 if that is larger)")

        let skipping = try readText(contents, path: "huge.tsv", options: .init(skipBadRows: true))
        #expect(skipping.labelSet?.names == ["0", "1"])
        #expect(skipping.examples.map(\.label) == [.classIndex(1)])
        #expect(skipping.skippedRows.count == 1 && skipping.skippedRows.firstLines == [3])
    }

    @Test func theIndexLimitGrowsWithTheRowCount() throws {
        #expect(try readText("sentence\tlabel\na\t999\n", path: "s.tsv").labelSet?.count == 1000)
        let rows = (0..<1500).map { "row \($0)\t\($0 == 0 ? 1200 : 0)" }
        let many = try readText((["sentence\tlabel"] + rows).joined(separator: "\n"), path: "m.tsv")
        #expect(many.labelSet?.count == 1201)
    }

    /// Found by fuzzing: a file whose only labels were negative trapped on a class count of -1.
    @Test func negativeClassIndicesAreErrorsOfTheirRows() throws {
        let contents = "{\"text\": \"good\", \"label\": -2}\n"
        #expect(datasetError { try readText(contents, path: "neg.jsonl") }
            == DatasetError(path: "neg.jsonl", line: 1, reason: .labelIndexOutOfRange(-2, classCount: 0)))
        let mixed = try readText("sentence\tlabel\na\t-1\nb\t1\nc\t0\n", path: "m.tsv", options: .init(skipBadRows: true))
        #expect(mixed.labelSet?.names == ["0", "1"] && mixed.skippedRows.firstLines == [2])
    }

    @Test func aHugeJSONNumberLabelIsAnError() {
        let contents = "{\"text\": \"good\", \"label\": 1}\n{\"text\": \"bad\", \"label\": 3000000000}\n"
        #expect(datasetError { try readText(contents, path: "huge.jsonl") }?.reason
            == .classIndexTooLarge("3000000000", limit: 1000))
    }

    @Test func guessingTheTaskOfAFileWithAHugeLabelReportsIt() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("huge-\(UUID().uuidString).tsv").path
        try Data("sentence\tlabel\ngood movie\t1\nbad movie\t9223372036854775807\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: DatasetError(path: path, line: 3, reason: .classIndexTooLarge("9223372036854775807", limit: 1000))) {
            try LabelledDataLoading.read(path: path, task: nil)
        }
        let skipping = try LabelledDataLoading.read(path: path, task: nil, skipBadRows: true)
        #expect(skipping.task == .classification && skipping.examples.count == 1 && skipping.skippedRows.count == 1)
    }

    @Test func errorsQuoteOnlyAnExcerptOfHugeCellsAndHeaders() {
        let cell = String(repeating: "x", count: 1_000_000)
        let labels = try? LabelSet(names: ["a", "b"])
        let unknown = datasetError { try readText("sentence\tlabel\nok\t\(cell)\n", path: "c.tsv", options: .init(labelSet: labels)) }
        #expect(unknown?.reason == .unknownLabel(cell, known: ["a", "b"]))
        #expect((unknown?.description.count ?? .max) < 200)

        let header = (0..<100_000).map { "column\($0)" }.joined(separator: "\t")
        let noText = datasetError { try readText(header + "\n", path: "h.tsv") }
        #expect((noText?.description.count ?? .max) < 400)

        let key = String(repeating: "k", count: 100_000)
        let duplicate = datasetError { try readText("{\"\(key)\": 1, \"\(key)\": 2}\n", path: "d.jsonl") }
        #expect((duplicate?.description.count ?? .max) < 300)
    }
}

@Suite struct TaskGuessWhenSkippingTests {
    @Test func aScoreLikeLabelAmongNamesDoesNotMakeARegressionFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("names-\(UUID().uuidString).tsv").path
        try Data("sentence\tlabel\na\tpos\nb\tneg\nc\t2.5\nd\tpos\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let dataset = try LabelledDataLoading.read(path: path, task: nil, skipBadRows: true)
        #expect(dataset.task == .classification)
        #expect(dataset.examples.count == 4)
    }
}
