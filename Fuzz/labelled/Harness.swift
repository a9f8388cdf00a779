import Datasets

/// Labelled text files: each input is read as TSV, CSV and JSON lines, each with three sets of options (labels from
/// the data, regression with optional labels and bad rows skipped, a fixed label set over a headerless file). Any
/// bytes either read or give a `DatasetError`; every example read keeps a non-blank text, and a class index inside
/// the label set or a finite regression value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLabelledText(_ data: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let bytes = fuzzBytes(data, count)
    for format in DataFormat.allCases {
        for options in optionSets {
            var options = options
            options.format = format
            guard let dataset = try? LabelledTextReader.read(bytes: bytes, path: "input", options: options) else {
                continue
            }
            check(dataset)
        }
    }
    return 0
}

private let optionSets: [DatasetReadOptions] = [
    DatasetReadOptions(),
    DatasetReadOptions(task: .regression, labelsOptional: true, skipBadRows: true),
    DatasetReadOptions(
        labelSet: try? LabelSet(names: ["negative", "positive"]), headerlessColumnNames: ["sentence", "label"],
        skipBadRows: true),
]

private func check(_ dataset: LabelledDataset) {
    for example in dataset.examples {
        expect(!example.text.allSatisfy(\.isWhitespace), "line \(example.line): blank text was accepted")
        switch example.label {
        case .classIndex(let index)?:
            let classCount = dataset.labelSet?.count ?? 0
            expect((0..<classCount).contains(index), "line \(example.line): class \(index) of \(classCount)")
        case .value(let value)?:
            expect(value.isFinite, "line \(example.line): regression value \(value)")
        case nil:
            break
        }
    }
}
