import Datasets
import Foundation
import TestSupport
import Testing

@Suite struct TSVReaderTests {
    @Test func readsSST2Dev() throws {
        let path = Golden.shared.appendingPathComponent("data/sst2/dev.tsv").path
        let dataset = try LabelledTextReader.read(path: path)
        #expect(dataset.examples.count == 872)
        #expect(dataset.columns == ColumnNames(text: "sentence", label: "label"))
        #expect(dataset.labelSet?.names == ["0", "1"])
        #expect(dataset.skippedRows.count == 0)
        let negatives = dataset.examples.filter { $0.label == .classIndex(0) }.count
        let positives = dataset.examples.filter { $0.label == .classIndex(1) }.count
        #expect(negatives == 428)
        #expect(positives == 444)
        let first = try #require(dataset.examples.first)
        #expect(first.text == "it 's a charming and often affecting journey . ")
        #expect(first.textPair == nil)
        #expect(first.line == 2)
        #expect(dataset.examples.last?.line == 873)
    }

    @Test func readsSST2TrainQuickly() throws {
        let path = Golden.shared.appendingPathComponent("data/sst2/train.tsv").path
        let start = Date()
        let dataset = try LabelledTextReader.read(path: path)
        let seconds = Date().timeIntervalSince(start)
        #expect(dataset.examples.count == 67_349)
        #expect(dataset.labelSet?.count == 2)
        // Well under a second in release; the bound leaves room for debug builds and a busy machine.
        #expect(seconds < 5)
    }

    @Test func handlesBOMCarriageReturnsAndMissingTrailingNewline() throws {
        let contents = "\u{FEFF}sentence\tlabel\r\na \"quoted\" text\t1\r\n\r\nplain\t0"
        let dataset = try readText(contents, path: "small.tsv")
        #expect(dataset.examples.map(\.text) == ["a \"quoted\" text", "plain"])
        #expect(dataset.examples.map(\.label) == [.classIndex(1), .classIndex(0)])
        #expect(dataset.examples.map(\.line) == [2, 4])
    }

    @Test func quotesAreLiteralInTSV() throws {
        let dataset = try readText("sentence\tlabel\n\"hello\tworld\"\t1\n", path: "q.tsv", options: .init(skipBadRows: true))
        // The tab inside the quotes still splits the line: three fields, so the row is malformed.
        #expect(dataset.examples.isEmpty)
        #expect(dataset.skippedRows.count == 1)
    }

    @Test(arguments: [
        ("sentence1\tsentence2\tlabel", ColumnNames(text: "sentence1", textPair: "sentence2", label: "label")),
        ("question\tsentence\tlabel", ColumnNames(text: "question", textPair: "sentence", label: "label")),
        ("question1\tquestion2\tlabel", ColumnNames(text: "question1", textPair: "question2", label: "label")),
    ])
    func detectsPairColumns(header: String, expected: ColumnNames) throws {
        let dataset = try readText("id\t\(header)\n7\tfirst\tsecond\t1\n", path: "pairs.tsv")
        #expect(dataset.columns == expected)
        #expect(dataset.examples == [TextExample(text: "first", textPair: "second", label: .classIndex(1), line: 2)])
    }

    @Test func readsQQPStyleFileWithIDColumns() throws {
        let contents = "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n1\t2\t3\tq one\tq two\t0\n"
        let options = DatasetReadOptions(columns: ColumnOverrides(label: "is_duplicate"))
        let dataset = try readText(contents, path: "qqp.tsv", options: options)
        #expect(dataset.examples == [TextExample(text: "q one", textPair: "q two", label: .classIndex(0), line: 2)])
    }

    @Test func columnOverridesWin() throws {
        let contents = "review\tsentence\tstars\nbad movie\tignored\tneg\ngood\tignored\tpos\n"
        let options = DatasetReadOptions(columns: ColumnOverrides(text: "review", label: "stars"))
        let dataset = try readText(contents, path: "custom.tsv", options: options)
        #expect(dataset.columns == ColumnNames(text: "review", label: "stars"))
        #expect(dataset.examples.map(\.text) == ["bad movie", "good"])
        #expect(dataset.labelSet?.names == ["neg", "pos"])
        #expect(dataset.examples.map(\.label) == [.classIndex(0), .classIndex(1)])
    }

    @Test func headerlessFileWithGivenColumnNames() throws {
        // GLUE's CoLA files have no header: source, label, original mark, sentence.
        let contents = "gj04\t1\t\tThe book was read.\ngj04\t0\t*\tBook the read was.\n"
        let options = DatasetReadOptions(headerlessColumnNames: ["source", "label", "mark", "sentence"])
        let dataset = try readText(contents, path: "cola.tsv", options: options)
        #expect(dataset.examples.map(\.text) == ["The book was read.", "Book the read was."])
        #expect(dataset.examples.map(\.label) == [.classIndex(1), .classIndex(0)])
        #expect(dataset.examples.map(\.line) == [1, 2])
    }

    @Test func missingNamedColumnIsAnError() {
        let error = datasetError {
            try readText("sentence\tlabel\nx\t1\n", path: "m.tsv", options: .init(columns: .init(text: "review")))
        }
        #expect(error == DatasetError(path: "m.tsv", line: 1, reason: .missingColumn("review", available: ["sentence", "label"])))
        #expect(error?.description == "m.tsv:1: no column 'review' (columns: sentence, label)")
    }

    @Test func fileWithoutTextOrLabelColumn() {
        #expect(datasetError { try readText("foo\tlabel\nx\t1\n", path: "a.tsv") }?.reason
            == .noTextColumn(available: ["foo", "label"]))
        #expect(datasetError { try readText("sentence\tfoo\nx\t1\n", path: "b.tsv") }?.reason
            == .noLabelColumn(available: ["sentence", "foo"]))
        #expect(datasetError { try readText("", path: "c.tsv") } == DatasetError(path: "c.tsv", line: nil, reason: .emptyFile))
    }

    @Test func malformedRowsReportTheirLine() {
        let cases: [(String, DatasetError.Reason)] = [
            ("sentence\tlabel\nok\t1\ntoo\tmany\t1\n", .wrongColumnCount(expected: 2, found: 3)),
            ("sentence\tlabel\nok\t1\nfew\n", .wrongColumnCount(expected: 2, found: 1)),
            ("sentence\tlabel\nok\t1\n  \t1\n", .emptyText(column: "sentence")),
            ("sentence\tlabel\nok\t1\nfine\t\n", .unparsableLabel("")),
            ("sentence\tlabel\nok\tpositive\nfine\t7\n", .integerAmongNamedLabels("7", names: ["positive"])),
        ]
        for (contents, reason) in cases {
            let error = datasetError { try readText(contents, path: "bad.tsv") }
            #expect(error == DatasetError(path: "bad.tsv", line: 3, reason: reason), "\(contents)")
        }
    }

    @Test func unknownLabelNameWithGivenLabelSet() throws {
        let labels = try LabelSet(names: ["negative", "positive"])
        let contents = "sentence\tlabel\ngreat\tpositive\nawful\tnegative\nhmm\tneutral\nfine\t1\n"
        let error = datasetError { try readText(contents, path: "l.tsv", options: .init(labelSet: labels)) }
        #expect(error == DatasetError(path: "l.tsv", line: 4, reason: .unknownLabel("neutral", known: ["negative", "positive"])))
        #expect(error?.description == "l.tsv:4: unknown label 'neutral' (known labels: negative, positive)")

        let skipping = try readText(contents, path: "l.tsv", options: .init(labelSet: labels, skipBadRows: true))
        #expect(skipping.skippedRows.count == 1)
        #expect(skipping.examples.map(\.label) == [.classIndex(1), .classIndex(0), .classIndex(1)])
        #expect(skipping.examples.map(\.line) == [2, 3, 5])
        #expect(skipping.labelSet == labels)
    }

    @Test func skipBadRowsCountsEveryKindOfBadRow() throws {
        let contents = """
            sentence\tlabel
            good one\t1
            extra\tcolumn\t1
            \t0
            no label\t
            bad label\tx1.5
            short
            last good\t0

            """
        let options = DatasetReadOptions(labelSet: try LabelSet(names: ["0", "1"]), skipBadRows: true)
        let dataset = try readText(contents, path: "skip.tsv", options: options)
        #expect(dataset.skippedRows.count == 5)
        #expect(dataset.skippedRows.firstLines == [3, 4, 5, 6, 7])
        #expect(dataset.skippedRows.description == "skipped 5 bad rows of skip.tsv (lines 3, 4, 5, 6, 7)")
        #expect(dataset.examples.map(\.line) == [2, 8])
        #expect(dataset.examples.map(\.text) == ["good one", "last good"])
    }

    @Test func firstBadRowIsReportedInFileOrder() {
        // The label problem (line 2) comes before the structural one (line 3).
        let contents = "sentence\tlabel\nx\t9\ny\t1\t2\n"
        let error = datasetError {
            try readText(contents, path: "o.tsv", options: .init(labelSet: try? LabelSet(names: ["a", "b"])))
        }
        #expect(error?.line == 2)
    }

    @Test func invalidUTF8NamesTheLine() {
        var bytes = Array("sentence\tlabel\nfine\t1\n".utf8)
        bytes += [0x62, 0x61, 0xFF, 0x64, 0x09, 0x30, 0x0A]  // "ba\u{FF}d\t0\n"
        let error = datasetError { try LabelledTextReader.read(bytes: bytes, path: "enc.tsv") }
        #expect(error == DatasetError(path: "enc.tsv", line: 3, reason: .invalidUTF8))
        #expect(error?.description == "enc.tsv:3: invalid UTF-8")
    }

    @Test func unreadableAndUnknownFormat() {
        let missing = datasetError { try LabelledTextReader.read(path: "/nonexistent/dir/train.tsv") }
        #expect(missing == DatasetError(path: "/nonexistent/dir/train.tsv", line: nil, reason: .unreadable("no such file")))
        let unknown = datasetError { try LabelledTextReader.read(path: "/tmp/data.parquet") }
        #expect(unknown?.reason == .unknownFormat(pathExtension: "parquet"))
    }

    @Test func unlabelledFileWhenLabelsAreOptional() throws {
        let contents = "index\tsentence\n0\tfirst test sentence\n1\tsecond\n"
        #expect(datasetError { try readText(contents, path: "test.tsv") }?.reason
            == .noLabelColumn(available: ["index", "sentence"]))
        let dataset = try readText(contents, path: "test.tsv", options: .init(labelsOptional: true))
        #expect(dataset.columns == ColumnNames(text: "sentence", label: nil))
        #expect(dataset.examples.map(\.label) == [nil, nil])
        #expect(dataset.labelSet == nil)
    }

    @Test func optionalLabelsMayBeEmptyOrMinusOne() throws {
        let contents = "sentence\tlabel\na\t\nb\t-1\nc\t1\n"
        let dataset = try readText(contents, path: "t.tsv", options: .init(labelsOptional: true))
        #expect(dataset.examples.map(\.label) == [nil, nil, .classIndex(1)])
    }

    @Test func regressionLabels() throws {
        let contents = "sentence1\tsentence2\tlabel\nA man.\tA person.\t4.25\nA cat.\tA car.\t0\n"
        let dataset = try readText(contents, path: "stsb.tsv", options: .init(task: .regression))
        #expect(dataset.examples.map(\.label) == [.value(4.25), .value(0)])
        #expect(dataset.labelSet == nil)
        #expect(dataset.task == .regression)

        let bad = "sentence1\tsentence2\tlabel\nA\tB\tfive\nC\tD\tnan\n"
        #expect(datasetError { try readText(bad, path: "r.tsv", options: .init(task: .regression)) }
            == DatasetError(path: "r.tsv", line: 2, reason: .unparsableLabel("five")))
        let skipped = try readText(bad, path: "r.tsv", options: .init(task: .regression, skipBadRows: true))
        #expect(skipped.skippedRows.count == 2)
    }
}
