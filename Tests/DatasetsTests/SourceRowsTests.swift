import Datasets
import Foundation
import JSON
import Testing
import TestSupport

@Suite struct SourceRowsTests {
    private static func rows(_ contents: String, name: String) throws -> SourceRows {
        try withScratchDirectory { directory in
            let file = directory.appendingPathComponent(name)
            try contents.write(to: file, atomically: true, encoding: .utf8)
            return try SourceRows(path: file.path, format: DataFormat(path: name) ?? .tsv)
        }
    }

    /// Every field, by the line its row starts on, split as the readers split it (CSV quoting and line breaks,
    /// TSV tabs only, blank lines skipped), malformed rows included when they can be split.
    @Test func tableRowsByLine() throws {
        let csv = try Self.rows("idx,text,label\r\n0,\"a, b\",1\n\n1,\"two\nlines\",0\n2,short\n", name: "in.csv")
        #expect(csv.header == ["idx", "text", "label"])
        #expect(csv.rows == [2: .fields(["0", "a, b", "1"]), 4: .fields(["1", "two\nlines", "0"]), 6: .fields(["2", "short"])])
        let tsv = try Self.rows("text\tlabel\n\"quoted\"\t1\n\nx\n", name: "in.tsv")
        #expect(tsv.header == ["text", "label"])
        #expect(tsv.rows == [2: .fields(["\"quoted\"", "1"]), 4: .fields(["x"])])
    }

    /// JSON lines: each object's members in file order; lines that are not objects are left out.
    @Test func jsonLinesObjectsByLine() throws {
        let rows = try Self.rows(#"{"text": "a", "label": 1}"# + "\n[1]\n\n" + #"{"label": null, "text": "b"}"#, name: "in.jsonl")
        #expect(rows.header.isEmpty)
        #expect(rows.rows == [
            1: .object([.init(key: "text", value: "a"), .init(key: "label", value: 1)]),
            4: .object([.init(key: "label", value: .null), .init(key: "text", value: "b")]),
        ])
    }

    @Test func emptyFileIsAnError() throws {
        #expect(throws: DatasetError.self) { try Self.rows("\n\n", name: "empty.tsv") }
    }
}
