import ArgumentParser
import Evaluation
import Foundation

/// `distill eval`: task metrics, size and speed of one or more models on a labelled file, side by side; or, with
/// `--task mlm`, masked-token accuracy and MLM cross-entropy of masked-LM models on plain text.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Compare fine-tuned models on a labelled file: task metrics, parameters, size, latency, throughput.",
        discussion: """
            For each model: the task metrics (by --task; else accuracy, or Pearson and Spearman for a \
            regression head), the parameter count, the weight format (fp32, or int8_dynamic or bf16 for a model \
            made by distill quantize), the size of its weight files, the median latency of one \
            example at batch 1 (over the first --latency-examples examples), and examples and tokens per \
            second at --batch-size over the whole file (tokenization is not timed). Labels in the file are \
            matched to each model's id2label (integer labels are class indices). With --rounds N the latency \
            and throughput are measured N times, the models in turn, and the median round is reported.

            --task mlm evaluates masked-LM models (BertForMaskedLM / DistilBertForMaskedLM, as `distill mlm` \
            writes them) on plain UTF-8 text instead, one document per line (or --paragraphs): documents are \
            concatenated into sequences of --max-length tokens, 15% of their tokens are masked (80% [MASK], 10% \
            random, 10% kept) as a function of each sequence's tokens and --masking-seed (default 0, as for the \
            held-out evaluation of `distill mlm`), so every model that shares the tokenizer is scored on the same \
            positions; it reports masked-token accuracy (top-1) and MLM cross-entropy over all masked tokens. \
            With --skip-bad-rows, lines that are not UTF-8 text are left out and counted.

            --task squad evaluates question-answering models on a SQuAD v1.1 (or v2.0) JSON file instead: the \
            official exact match and F1 (percent), windows of 384 tokens sharing 128, the latency of one \
            question answered at a time (windowing and answer extraction included) and questions per second at \
            --batch-size windows per pass, in --rounds as above; --max-length sets the window (default 384).

            Examples (the second: a model beside its int8 and bf16 copies, see distill quantize):
              distill eval --model runs/teacher-sst2 --model runs/student-sst2 \\
                --data ../shared/data/sst2/dev.tsv --task sst2 --json eval.json
              distill eval --model runs/student-sst2 --model runs/student-sst2-int8 \\
                --model runs/student-sst2-bf16 --data ../shared/data/sst2/dev.tsv \\
                --task sst2 --rounds 3
              distill eval --task mlm --model runs/minilm-mlm --model runs/general-3l \\
                --data cache/corpus/heldout.txt
              distill eval --model runs/squad/teacher --task squad \\
                --data ../shared/data/squad/dev-v1.1.json
            """)

    @Option(name: .customLong("model"), help: "A fine-tuned model directory (repeat to compare several).")
    var models: [String]

    @Option(help: "Labelled evaluation file (.tsv, .csv or .jsonl).")
    var data: String

    @Option(help: "GLUE task name, for its metrics (sst2: accuracy, mrpc: accuracy and F1, cola: MCC, stsb: Pearson and Spearman, ...), mlm for masked-LM models on plain text, or squad for question answering on a SQuAD JSON file.")
    var task: String?

    @Option(name: .customLong("metric"), help: "A metric to report instead of the task's (repeatable).")
    var metrics: [Metric] = []

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @Option(help: "Batch size of the metric and throughput pass.")
    var batchSize = 32

    @Option(help: "Truncate inputs to this many tokens, capped by each model's limit (default 128; squad: windows of 384).")
    var maxLength: Int?

    @Option(help: "Examples timed one at a time for the batch-1 latency.")
    var latencyExamples = 100

    @Option(help: "Time every model this many times, the models in turn in each round, and report the median round: a slow spell of the machine then weighs on every model alike (not --task mlm; the JSON keeps every round).")
    var rounds = 1

    @Flag(help: "With --task mlm: documents are paragraphs separated by blank lines instead of lines.")
    var paragraphs = false

    @Option(help: "With --task mlm: evaluate only the first this many sequences (default: all).")
    var maxSequences: Int?

    @Option(help: "With --task mlm: the seed the masked positions are derived from.")
    var maskingSeed: UInt64 = 0

    @Option(help: "With --task mlm or squad and one --model: also write each sequence's (squad: window's) input ids and logits (mlm: the masked ids and vocabulary logits; squad: start and end logits) as JSON lines, the format of scripts/check-hf-roundtrip.py --outputs (mlm: large, for a few short texts).")
    var logits: String?

    @OptionGroup var dataReading: DataReadingOptions

    /// The sequence length of classification and masked-LM evaluation.
    var textMaxLength: Int { maxLength ?? 128 }

    /// What `--task` asks for.
    var mode: any EvaluationMode.Type { Self.modes.first { $0.evaluates(task: task) } ?? ClassificationEvaluation.self }

    /// The evaluations `--task` chooses from, the first that claims it wins (classification claims every task).
    static let modes: [any EvaluationMode.Type] = [
        MaskedLanguageModelEvaluation.self, QuestionAnsweringEvaluation.self, ClassificationEvaluation.self,
    ]

    func validate() throws {
        if models.isEmpty { throw ValidationError("give at least one --model") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let maxLength, maxLength < 2 { throw ValidationError("--max-length must be at least 2") }
        if latencyExamples < 1 { throw ValidationError("--latency-examples must be at least 1") }
        if rounds < 1 { throw ValidationError("--rounds must be at least 1") }
        let chosen = mode
        for (option, given) in modeOptions where given && !chosen.options.contains(option) {
            let takers = Self.modes.filter { $0.options.contains(option) }.map { $0.name }
            throw ValidationError("\(option) applies to \(takers.joined(separator: " and ")) only")
        }
        try chosen.validate(self)
    }

    func run() throws {
        try mode.run(self)
    }

    /// The options some modes take and others do not, and whether each was given.
    private var modeOptions: [(option: String, given: Bool)] {
        [("--metric", !metrics.isEmpty), ("--rounds", rounds > 1), ("--paragraphs", paragraphs),
         ("--max-sequences", maxSequences != nil), ("--masking-seed", maskingSeed != 0), ("--logits", logits != nil)]
    }
}

/// One kind of evaluation `distill eval` runs, chosen by `--task`.
protocol EvaluationMode {
    /// How error messages name it ("--task mlm").
    static var name: String { get }
    /// Whether `--task task` asks for it.
    static func evaluates(task: String?) -> Bool
    /// Which of the options that only some modes take this one takes.
    static var options: Set<String> { get }
    /// Refuses option values this mode cannot use.
    static func validate(_ command: EvalCommand) throws
    /// Evaluates every `--model`, prints the table and writes `--json`.
    static func run(_ command: EvalCommand) throws
}

extension EvalCommand {
    /// " (lowest-highest)" of several rounds' figures, nothing for one.
    static func range(_ values: [Double]) -> String {
        guard values.count > 1, let low = values.min(), let high = values.max() else { return "" }
        return String(format: " (%.0f-%.0f)", low, high)
    }
}
