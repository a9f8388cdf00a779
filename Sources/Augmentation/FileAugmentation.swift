import Datasets
import Foundation

extension DataAugmenter {
    /// Augments the labelled (or unlabelled) text file at `input` into `output`, in the same format (see
    /// ``AugmentedFile``): the first text of each row is augmented, a second text kept. The input is read as the
    /// training readers read it (`options`, labels optional); `progress` is called after each teacher forward pass.
    public func augment(
        input: String, output: String, options: DatasetReadOptions = DatasetReadOptions(),
        progress: AugmentationProgress = { _, _, _ in }
    ) throws -> (summary: AugmentationSummary, skipped: SkippedRows) {
        let start = ProcessInfo.processInfo.systemUptime
        var options = options
        options.labelsOptional = true
        let dataset = try LabelledTextReader.read(path: input, options: options)
        let source = try SourceRows(path: input, format: options.format ?? DataFormat(path: input) ?? .tsv)
        let (candidates, work) = self.candidates(for: dataset.examples.map(\.text), progress: progress)
        var file = AugmentedFile(inputPath: input, source: source, columns: dataset.columns)
        var written = 0
        for (example, words) in zip(dataset.examples, candidates) {
            let variants = variants(of: words, row: example.line)
            written += variants.count
            try file.append(line: example.line, variants: variants)
        }
        try file.write(to: output)
        let summary = AugmentationSummary(
            input: input, output: output, rows: dataset.examples.count, skippedRows: dataset.skippedRows.count,
            variants: written, duplicatesDropped: dataset.examples.count * settings.variantsPerExample - written,
            maskedWords: work.maskedWords, embeddedWords: work.embeddedWords, forwardPasses: work.forwardPasses,
            seconds: ProcessInfo.processInfo.systemUptime - start,
            settings: .init(perExample: settings.variantsPerExample, candidates: settings.candidatesPerWord,
                            p: settings.replacementProbability, seed: settings.seed, batchSize: settings.batchSize))
        return (summary, dataset.skippedRows)
    }
}
