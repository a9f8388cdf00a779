import Datasets
import Testing

@Suite struct CSVReaderTests {
    @Test func readsRFC4180Quoting() throws {
        let contents = """
            text,label\r
            plain text,positive\r
            "with, comma",negative\r
            "with ""quotes"" inside",positive\r
            "spans
            two lines",negative\r
            "",positive\r
            after,negative
            """
        let dataset = try readText(contents, path: "reviews.csv", options: .init(skipBadRows: true))
        #expect(dataset.columns == ColumnNames(text: "text", label: "label"))
        #expect(dataset.labelSet?.names == ["negative", "positive"])
        #expect(dataset.examples.map(\.text) == [
            "plain text", "with, comma", "with \"quotes\" inside", "spans\ntwo lines", "after",
        ])
        #expect(dataset.examples.map(\.line) == [2, 3, 4, 5, 8])
        #expect(dataset.examples.map(\.label) == [.classIndex(1), .classIndex(0), .classIndex(1), .classIndex(0), .classIndex(0)])
        #expect(dataset.skippedRows.count == 1)  // the empty quoted text on line 7
    }

    @Test func quotedHeaderAndPairs() throws {
        let contents = "\u{FEFF}\"sentence1\",\"sentence2\",\"label\"\n\"a, b\",c,1\nd,\"e\"\"f\",0\n"
        let dataset = try readText(contents, path: "pairs.csv")
        #expect(dataset.examples == [
            TextExample(text: "a, b", textPair: "c", label: .classIndex(1), line: 2),
            TextExample(text: "d", textPair: "e\"f", label: .classIndex(0), line: 3),
        ])
    }

    @Test func quoteInsideUnquotedFieldIsLiteral() throws {
        let dataset = try readText("text,label\nsay \"hi\" now,1\n", path: "q.csv")
        #expect(dataset.examples.map(\.text) == ["say \"hi\" now"])
    }

    @Test func trailingEmptyFieldCounts() throws {
        let error = datasetError { try readText("text,label\nabc,1,\n", path: "t.csv") }
        #expect(error == DatasetError(path: "t.csv", line: 2, reason: .wrongColumnCount(expected: 2, found: 3)))
    }

    @Test func textAfterClosingQuoteIsAMalformedRow() throws {
        let contents = "text,label\n\"abc\"def,1\nok,0\n"
        #expect(datasetError { try readText(contents, path: "m.csv") }
            == DatasetError(path: "m.csv", line: 2, reason: .textAfterClosingQuote))
        let skipped = try readText(contents, path: "m.csv", options: .init(skipBadRows: true))
        #expect(skipped.skippedRows.count == 1)
        #expect(skipped.examples.map(\.line) == [3])
    }

    @Test func unterminatedQuoteIsAlwaysAnError() {
        let contents = "text,label\nok,1\n\"never closed,0\nmore,1\n"
        let error = datasetError { try readText(contents, path: "u.csv", options: .init(skipBadRows: true)) }
        #expect(error == DatasetError(path: "u.csv", line: 3, reason: .unterminatedQuote))
    }

    @Test func lineNumbersCountLinesInsideQuotedFields() {
        let contents = "text,label\n\"one\ntwo\nthree\",1\nbad,\n"
        #expect(datasetError { try readText(contents, path: "n.csv") }
            == DatasetError(path: "n.csv", line: 5, reason: .unparsableLabel("")))
    }
}
