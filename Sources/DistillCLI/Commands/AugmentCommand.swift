import ArgumentParser
import Augmentation
import Datasets
import Foundation
import Training

/// `distill augment`: TinyBERT's data augmentation of a text file with a masked-LM teacher.
struct AugmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Enlarge a text file with TinyBERT's data augmentation: word replacements a masked-LM teacher proposes.",
        discussion: """
            TinyBERT's augmentation (Jiao et al. 2020, section 3.1 and appendix A; defaults N = 20 variants per \
            example, M = 15 candidates per word, p = 0.4, as in the paper and its data_augmentation.py). The \
            (first) text of each row is split into words by the teacher's BERT tokenizer. Stop words (a short \
            English list) and words that are not alphabetic never change. A word that is one WordPiece is masked, \
            the rest of the sentence intact, and its candidates are the teacher's M most likely predictions there \
            that are whole alphabetic words (no ## pieces, special tokens, stop words or the word itself). A word of several \
            pieces gets its M nearest whole words by cosine similarity in the teacher's input word embeddings (the \
            mean of its pieces' vectors): TinyBERT uses GloVe vectors, which are not available here, and the \
            teacher's own embeddings cover its whole vocabulary. Then --per-example times, every word with \
            candidates is replaced with probability --p by one chosen uniformly; a draw identical to the original \
            or to an earlier variant is dropped, so a sentence may get fewer variants (short ones often do). \
            Unlike the released script, the masked sentence is not followed by an unmasked copy of itself. \
            Replaced words take the case of the word they replace; all other text is kept as written. The \
            teacher runs in batches of --batch-size masked sentences, and the variants are the same for the same \
            --seed.

            The input is .tsv/.csv (with a header) or .jsonl, read like training files (text column sentence, \
            text, ...; a label column is optional). The output has the input's format and columns plus \
            augmented_from: each row as it was (augmented_from empty), then its variants, with an empty label (the \
            teacher gives their targets) and augmented_from = the line of their original in the input. A second \
            text (sentence pairs) is kept. A summary (counts, rate, settings) is written to OUTPUT.json.

            The teacher is a checkpoint with a trained masked-LM head, such as `distill mlm` writes.

            Example:
              distill augment --teacher runs/minilm-mlm \\
                --input ../shared/data/sst2/train.tsv --output runs/sst2-augmented.tsv
            """)

    @Option(help: "Masked-LM teacher directory (config.json, model.safetensors with the masked-LM head, vocab.txt or tokenizer.json).")
    var teacher: String

    @Option(help: "Text file to augment (.tsv, .csv or .jsonl).")
    var input: String

    @Option(help: "Augmented file to write, in the input's format.")
    var output: String

    @Option(help: "Variants drawn per example, N, as in TinyBERT; duplicates are dropped.")
    var perExample = AugmentationSettings().variantsPerExample

    @Option(help: "Candidate replacements per word, M, as in TinyBERT.")
    var candidates = AugmentationSettings().candidatesPerWord

    @Option(help: "Probability that a word with candidates is replaced in a variant, as in TinyBERT.")
    var p = AugmentationSettings().replacementProbability

    @Option(help: "Seed of the replacement draws.")
    var seed = AugmentationSettings().seed

    @Option(help: "Masked sentences per teacher forward pass.")
    var batchSize = AugmentationSettings().batchSize

    @OptionGroup var dataReading: DataReadingOptions

    func validate() throws {
        do {
            try settings.validate()
        } catch .invalidSetting(let setting, let rule) {
            throw ValidationError("\(Self.flag(setting)) \(rule)")
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() throws {
        // Checked first, so that a typo does not cost the whole augmentation.
        let outputDirectory = URL(fileURLWithPath: output).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: outputDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandLineError("--output \(output): no directory \(outputDirectory) to write it in")
        }
        let teacherModel: MaskedLanguageTeacher
        do {
            teacherModel = try MaskedLanguageTeacher(directory: URL(fileURLWithPath: teacher))
        } catch AugmentationError.teacherHasNoMaskedLanguageModelHead(_, let missing) {
            throw CommandLineError(
                "--teacher \(teacher) has no masked-LM head (no \(missing.prefix(4).joined(separator: ", "))"
                    + "\(missing.count > 4 ? ", ..." : "")); make one with `distill mlm --model \(teacher) "
                    + "--corpus TEXT... --output DIR --max-steps N` and augment with --teacher DIR")
        }
        let augmenter = try DataAugmenter(teacher: teacherModel, settings: settings)
        printError("augmenting \(input) with \(teacher): \(perExample) variants per example, \(candidates) candidates per word, p = \(p)")

        var reporter: ProgressReporter?
        let started = ProgressReporter.systemClock()
        let result = try augmenter.augment(
            input: input, output: output, options: DatasetReadOptions(skipBadRows: dataReading.skipBadRows)
        ) { done, total, tokens in
            if reporter == nil {
                var configuration = ProgressReporter.Configuration(totalSteps: total, totalEpochs: 1)
                (configuration.stepName, configuration.showsEpoch) = ("masked word", false)
                reporter = ProgressReporter(configuration: configuration, startTime: started)
            }
            reporter?.update(step: done, epoch: 1, tokens: tokens)
        }
        reporter?.finish()
        DataReadingOptions.report([result.skipped])
        let summary = result.summary
        do {
            try JSONEncoder.pretty.encode(summary).write(to: URL(fileURLWithPath: output + ".json"), options: .atomic)
        } catch {
            throw CommandLineError("\(output).json: cannot write (\(error.localizedDescription))")
        }
        print(TextTable(header: ["rows", "variants", "masked words", "forward passes", "seconds", "sentences/s", "passes/s"],
                        rows: [["\(summary.rows)", "\(summary.variants)", "\(summary.maskedWords)", "\(summary.forwardPasses)",
                                String(format: "%.1f", summary.seconds), String(format: "%.1f", summary.sentencesPerSecond),
                                String(format: "%.2f", summary.forwardPassesPerSecond)]]).rendered)
        print("written \(summary.rows) rows and \(summary.variants) variants to \(output) (summary: \(output).json)")
    }

    private var settings: AugmentationSettings {
        var settings = AugmentationSettings()
        settings.variantsPerExample = perExample
        settings.candidatesPerWord = candidates
        settings.replacementProbability = p
        settings.seed = seed
        settings.batchSize = batchSize
        return settings
    }

    private static func flag(_ setting: AugmentationSetting) -> String {
        switch setting {
        case .variantsPerExample: "--per-example"
        case .candidatesPerWord: "--candidates"
        case .replacementProbability: "--p"
        case .batchSize: "--batch-size"
        }
    }
}
