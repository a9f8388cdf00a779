import Augmentation
import Datasets
import Foundation
import Testing
import TestSupport

@Suite struct AugmentedFileTests {
    private static func augment(_ contents: String, named name: String, in directory: URL,
                                options: DatasetReadOptions = DatasetReadOptions()) throws
        -> (output: URL, summary: AugmentationSummary)
    {
        try TinyTeacher.save(to: directory.appendingPathComponent("teacher"))
        let input = directory.appendingPathComponent(name), output = directory.appendingPathComponent("out-" + name)
        try contents.write(to: input, atomically: true, encoding: .utf8)
        var settings = AugmentationSettings()
        settings.variantsPerExample = 3
        let augmenter = try DataAugmenter(
            teacher: MaskedLanguageTeacher(directory: directory.appendingPathComponent("teacher")), settings: settings)
        let summary = try augmenter.augment(input: input.path, output: output.path, options: options).summary
        return (output, summary)
    }

    /// Originals keep their label and line order, variants follow them unlabelled; the augmented file reads back
    /// with the training reader, and the extra column (here `idx`) is kept.
    @Test(arguments: [
        ("in.tsv", "idx\tsentence\tlabel\n0\tthe movie was good , fun !\t1\n1\tgreat acting and a dull plot\t0\n"),
        ("in.jsonl", #"{"idx": 0, "sentence": "the movie was good , fun !", "label": 1}"# + "\n"
            + #"{"idx": 1, "sentence": "great acting and a dull plot", "label": 0}"# + "\n"),
        ("in.csv", "idx,sentence,label\n0,\"the movie was good , fun !\",1\n1,great acting and a dull plot,0\n"),
    ])
    func augmentedFileReadsBackWithOriginalsLabelledAndVariantsNot(name: String, contents: String) throws {
        try withScratchDirectory { directory in
            let (output, summary) = try Self.augment(contents, named: name, in: directory)
            var options = DatasetReadOptions()
            options.labelsOptional = true
            let read = try LabelledTextReader.read(path: output.path, options: options)
            #expect(read.examples.count == 2 + summary.variants)
            #expect(summary.variants > 0 && summary.rows == 2)
            let originals = read.examples.filter { $0.label != nil }
            #expect(originals.map(\.text) == ["the movie was good , fun !", "great acting and a dull plot"])
            #expect(originals.map(\.label) == [.classIndex(1), .classIndex(0)])
            let source = try SourceRows(path: output.path, format: DataFormat(path: output.path) ?? .tsv)
            let first = read.examples.firstIndex { $0.text == "great acting and a dull plot" } ?? 0
            for (index, example) in read.examples.enumerated() where example.label == nil {
                // The line of the original: JSON lines have no header row.
                let augmentedFrom = String((name.hasSuffix("jsonl") ? 1 : 2) + (index < first ? 0 : 1))
                switch source.rows[example.line] {
                case .fields(let fields):
                    #expect(fields.last == augmentedFrom)
                    #expect(fields.first == (index < first ? "0" : "1"))
                case .object(let members):
                    #expect(members.last?.key == "augmented_from")
                    #expect(members.last?.value.integerValue == Int(augmentedFrom))
                    #expect(members.first?.value.integerValue == (index < first ? 0 : 1))
                case nil:
                    Issue.record("no row at line \(example.line)")
                }
            }
        }
    }

    /// A sentence pair: the first text is augmented, the second kept.
    @Test func pairsKeepTheSecondText() throws {
        try withScratchDirectory { directory in
            let contents = "sentence1\tsentence2\tlabel\nthe movie was good\tgreat acting\tyes\n"
            let (output, summary) = try Self.augment(contents, named: "pairs.tsv", in: directory)
            var options = DatasetReadOptions()
            options.labelsOptional = true
            let read = try LabelledTextReader.read(path: output.path, options: options)
            #expect(summary.variants > 0)
            #expect(read.examples.allSatisfy { $0.textPair == "great acting" })
            #expect(Set(read.examples.map(\.text)).count == read.examples.count)
        }
    }

    /// A malformed row is an error naming its line, or with skipping is left out of the output.
    @Test func badRowsAreErrorsOrSkipped() throws {
        try withScratchDirectory { directory in
            let contents = "sentence\tlabel\nthe movie was good\t1\nno label column here\nfun plot\t0\n"
            #expect {
                try Self.augment(contents, named: "bad.tsv", in: directory)
            } throws: { error in
                (error as? DatasetError)?.line == 3
            }
            var options = DatasetReadOptions()
            options.skipBadRows = true
            let (output, summary) = try Self.augment(contents, named: "bad.tsv", in: directory, options: options)
            #expect(summary.rows == 2 && summary.skippedRows == 1)
            let text = try String(contentsOf: output, encoding: .utf8)
            #expect(!text.contains("no label column here"))
        }
    }
}
