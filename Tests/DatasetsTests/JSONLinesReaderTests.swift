import Datasets
import Testing

@Suite struct JSONLinesReaderTests {
    @Test func readsTextPairsAndNumericLabels() throws {
        let contents = """
            {"text": "first", "text_pair": "second", "label": 1}
            {"text": "third", "text_pair": "fourth \\"q\\" \\u00e9", "label": 0, "extra": {"nested": [1, 2]}}

            {"label": 2, "text_pair": "y", "text": "x"}
            """
        let dataset = try readText(contents, path: "data.jsonl")
        #expect(dataset.columns == ColumnNames(text: "text", textPair: "text_pair", label: "label"))
        #expect(dataset.examples == [
            TextExample(text: "first", textPair: "second", label: .classIndex(1), line: 1),
            TextExample(text: "third", textPair: "fourth \"q\" é", label: .classIndex(0), line: 2),
            TextExample(text: "x", textPair: "y", label: .classIndex(2), line: 4),
        ])
        #expect(dataset.labelSet?.count == 3)
    }

    @Test func readsSentenceKeyWithNamedLabels() throws {
        let labels = try LabelSet(id2label: [0: "negative", 1: "positive"])
        let contents = "{\"sentence\": \"good\", \"label\": \"positive\"}\r\n{\"sentence\": \"bad\", \"label\": \"negative\"}\r\n"
        let dataset = try readText(contents, path: "s.jsonl", options: .init(labelSet: labels))
        #expect(dataset.examples.map(\.text) == ["good", "bad"])
        #expect(dataset.examples.map(\.label) == [.classIndex(1), .classIndex(0)])
    }

    @Test func regressionFromJSONNumbers() throws {
        let contents = "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"label\": 3.8}\n{\"sentence1\": \"c\", \"sentence2\": \"d\", \"label\": \"1.5\"}\n"
        let dataset = try readText(contents, path: "stsb.jsonl", options: .init(task: .regression))
        #expect(dataset.examples.map(\.label) == [.value(3.8), .value(1.5)])
    }

    @Test func malformedRows() throws {
        let contents = """
            {"text": "ok", "label": 0}
            {"text": "broken", "label": 
            [1, 2]
            {"label": 1}
            {"text": 5, "label": 1}
            {"text": "fractional", "label": 0.5}
            {"text": "no label"}
            {"text": "fine", "label": 1}
            """
        let expectedByLineIndex: [Int: DatasetError.Reason] = [
            2: .notAJSONObject, 3: .missingColumn("text", available: ["label"]),
            4: .wrongValueType(key: "text", expected: "a string"), 5: .unparsableLabel("0.5"),
            6: .missingColumn("label", available: ["text"]),
        ]
        let error = datasetError { try readText(contents, path: "bad.jsonl") }
        #expect(error?.line == 2)
        if case .invalidJSON = error?.reason {} else { Issue.record("expected invalid JSON, got \(String(describing: error))") }

        let dataset = try readText(contents, path: "bad.jsonl", options: .init(skipBadRows: true))
        #expect(dataset.skippedRows.count == 6)
        #expect(dataset.examples.map(\.line) == [1, 8])

        // Each later bad line, on its own after a good first line, gives its specific reason.
        let lines = contents.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (lineIndex, reason) in expectedByLineIndex {
            let file = lines[0] + "\n" + lines[lineIndex] + "\n"
            #expect(datasetError { try readText(file, path: "one.jsonl") }
                == DatasetError(path: "one.jsonl", line: 2, reason: reason))
        }
    }

    @Test func unlabelledJSONLines() throws {
        let contents = "{\"text\": \"a\"}\n{\"text\": \"b\", \"label\": null}\n"
        let dataset = try readText(contents, path: "p.jsonl", options: .init(labelsOptional: true))
        #expect(dataset.examples.map(\.label) == [nil, nil])
        #expect(dataset.columns.label == nil)
    }

    @Test func fileOfOnlyBadJSONReportsTheFirstBadLine() {
        let error = datasetError { try readText("\nnot json\n", path: "x.jsonl", options: .init(skipBadRows: true)) }
        #expect(error?.line == 2)
        #expect(datasetError { try readText("\n \n", path: "e.jsonl") }?.reason == .emptyFile)
    }

    /// Issues #14 and #15: a raw U+FEFF inside a string is text and reaches the example unchanged; only the
    /// byte-order mark at the start of the file is skipped.
    @Test func keepsByteOrderMarksInsideTexts() throws {
        let contents = "\u{FEFF}" + #"{"text": "\#u{FEFF}BOM start", "label": 0}"# + "\n"
            + #"{"text": "a\n\#u{FEFF}b", "label": 1}"# + "\n" + #"{"text": "mid\#u{FEFF}dle", "label": 1}"# + "\n"
        let dataset = try readText(contents, path: "bom.jsonl")
        #expect(dataset.examples.map(\.text) == ["\u{FEFF}BOM start", "a\n\u{FEFF}b", "mid\u{FEFF}dle"])
        #expect(dataset.examples.map { $0.text.unicodeScalars.count } == [10, 4, 7])
        #expect(datasetError { try readText(#"{"text": "a", "label": 0}"# + "\n\u{FEFF}{\"text\": \"b\"}", path: "b.jsonl") }?
            .reason == .invalidJSON("unexpected character at column 1"), "a byte-order mark inside the file is not skipped")
    }
}
