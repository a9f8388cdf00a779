/// Reads labelled (or, for prediction, unlabelled) text examples from TSV, CSV or JSON lines files.
///
/// ```swift
/// let train = try LabelledTextReader.read(path: "sst2/train.tsv")
/// var devOptions = DatasetReadOptions()
/// devOptions.labelSet = train.labelSet  // same class indices as training
/// let dev = try LabelledTextReader.read(path: "sst2/dev.tsv", options: devOptions)
/// ```
///
/// Rows are checked as they are read: a row with the wrong number of fields, an empty text, or a label that
/// cannot be mapped is an error naming the file and the 1-based line, unless
/// ``DatasetReadOptions/skipBadRows`` is set, in which case it is left out and counted in
/// ``LabelledDataset/skippedRows``.
public enum LabelledTextReader {
    /// Reads the file at `path`; the format comes from the options or else the file name's extension.
    public static func read(path: String, options: DatasetReadOptions = DatasetReadOptions()) throws(DatasetError)
        -> LabelledDataset
    {
        var options = options
        options.format = try format(of: path, options: options)  // before reading, to fail fast
        return try read(bytes: UTF8Text.read(path: path), path: path, options: options)
    }

    /// Reads file contents already in memory; `path` is used for the format (if the options do not give one)
    /// and in error messages.
    public static func read(bytes: [UInt8], path: String, options: DatasetReadOptions = DatasetReadOptions())
        throws(DatasetError) -> LabelledDataset
    {
        let format = try format(of: path, options: options)
        let file = try UTF8Text(bytes: bytes, path: path)
        let parsed: ParsedRows
        switch format {
        case .tsv: parsed = try TSVParser.parse(file, options: options)
        case .csv: parsed = try CSVParser.parse(file, options: options)
        case .jsonLines: parsed = try JSONLinesParser.parse(file, options: options)
        }

        let resolver = LabelResolver(
            task: options.task, labelSet: options.labelSet, labels: parsed.rows.lazy.compactMap(\.rawLabel),
            labelsOptional: options.labelsOptional)

        var examples: [TextExample] = []
        examples.reserveCapacity(parsed.rows.count)
        var skippedRows = SkippedRows(path: path)
        for row in parsed.rows {
            do throws(DatasetError) {
                examples.append(try example(row, columns: parsed.columns, resolver: resolver, path: path))
            } catch {
                guard options.skipBadRows else { throw error }
                skippedRows.record(line: error.line)
            }
        }
        return LabelledDataset(
            path: path, examples: examples, task: options.task, labelSet: resolver.labelSet, columns: parsed.columns,
            skippedRows: skippedRows)
    }

    private static func format(of path: String, options: DatasetReadOptions) throws(DatasetError) -> DataFormat {
        guard let format = options.format ?? DataFormat(path: path) else {
            throw DatasetError(
                path: path, line: nil, reason: .unknownFormat(pathExtension: DataFormat.pathExtension(of: path)))
        }
        return format
    }

    private static func example(_ row: RowOutcome, columns: ColumnNames, resolver: LabelResolver, path: String)
        throws(DatasetError) -> TextExample
    {
        switch row {
        case .malformed(let error):
            throw error
        case .record(let record):
            func fail(_ reason: DatasetError.Reason) -> DatasetError {
                DatasetError(path: path, line: record.line, reason: reason)
            }
            guard !isBlank(record.text) else { throw fail(.emptyText(column: columns.text)) }
            if let pair = record.textPair, let pairColumn = columns.textPair, isBlank(pair) {
                throw fail(.emptyText(column: pairColumn))
            }
            let label: Label?
            do {
                label = try resolver.resolve(record.label)
            } catch {
                throw fail(error)
            }
            return TextExample(text: record.text, textPair: record.textPair, label: label, line: record.line)
        }
    }

    private static func isBlank(_ text: String) -> Bool { text.allSatisfy(\.isWhitespace) }
}

extension RowOutcome {
    fileprivate var rawLabel: RawLabel? {
        guard case .record(let record) = self else { return nil }
        return record.label
    }
}
