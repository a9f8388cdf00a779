import ArgumentParser
import Distillation
import Foundation
import Training

/// `distill general`: general distillation of a teacher into a student on unlabelled text.
struct GeneralCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "general",
        abstract: "Distil a teacher into a general-purpose student on unlabelled text (DistilBERT, TinyBERT or MiniLMv2).",
        discussion: """
            --objective distilbert (DistilBERT's triple loss): alpha_ce * T^2 * KL(p_t || p_s) over the vocabulary, \
            averaged over real tokens [ce] + alpha_mlm * the student's masked-LM cross-entropy [mlm] + alpha_cos * the \
            mean over real tokens of 1 - cos(last hidden states) [cosine] (names in brackets: the keys of each term \
            in <output>/metrics.jsonl). It needs a teacher with a masked-LM head (make one with `distill mlm`); the \
            student is written as BertForMaskedLM, its head copied from the teacher when it has none and the widths \
            match. 15% of each batch's tokens are masked (80% [MASK], 10% random, 10% kept), chosen with probability \
            proportional to count^-0.7 (DistilBERT's mlm_smoothing); the counts are taken over the corpus in one \
            streaming pass and kept in <output>/token-counts.json, and counted again when a corpus file or the \
            vocabulary changes. No next-sentence prediction.

            --objective tinybert: the sum over layers of MSE(attention scores), padding zeroed in both [attention], \
            + the sum over the embedding output and the layers of MSE(W h_s + b, h_t) [hidden_mse], W a learned \
            projection when the widths differ. Student layer i learns from teacher layer (i+1)k-1, k = teacher \
            layers / student layers (--layer-map overrides). Equal head counts.

            --objective minilmv2: KL between the Q-Q, K-K and V-V self-attention relations of --teacher-layer and \
            the student's last layer, in --relation-heads heads, padding excluded [relation].

            tinybert and minilmv2 write the student as BertModel (no head needed). Learned projections are kept in \
            the checkpoint for --resume, not in the student.

            Data: the --corpus files are plain UTF-8 text, one document per line (--paragraphs: separated by blank \
            lines), streamed in turn; a document longer than --max-length is split into several sequences; batches \
            come from windows of --group-pool batches sorted by length (DistilBERT's group_by_size). For large \
            effective batches use --grad-accum (DistilBERT used about 4K sequences per update).

            Defaults of distilbert: lr 5e-4, warm-up 5%, Adam betas 0.9/0.98, eps 1e-6, clipping 5.0, weight decay \
            0, max length 512, alpha_ce 5, alpha_mlm 2, alpha_cos 1, T 2 (Hugging Face's DistilBERT recipe: \
            examples/research_projects/distillation, train.py, distiller.py and the training command of its README).

            Defaults of tinybert: lr 1e-4, warm-up 1%, Adam betas 0.9/0.999, eps 1e-6, clipping 1.0, weight decay \
            0.01, max length 128 (TinyBERT's paper: general distillation on sequences of 128 tokens, other settings \
            as BERT pre-training; its released general_distill.py defaults to lr 5e-5 and 10% warm-up instead).

            Defaults of minilmv2: lr 6e-4, warm-up 1%, Adam betas 0.9/0.999, eps 1e-8, clipping 1.0, weight decay \
            0.01, max length 512, the teacher's last layer, as many relation heads as the teacher has attention \
            heads (MiniLMv2, section 4.1; it used 48 relation heads for 768-wide teachers).

            Example (a teacher with an MLM head from `distill mlm`, a 3-layer student from `distill student`):
              distill general --teacher runs/teacher-mlm --student runs/student-3l \\
                --objective distilbert --corpus cache/corpus/imdb.txt \\
                cache/corpus/shakespeare.txt cache/corpus/python-docs.txt \\
                --heldout cache/corpus/heldout.txt --max-steps 2000 \\
                --batch-size 32 --max-length 128 --output runs/general-3l
            """)

    enum ObjectiveName: String, ExpressibleByArgument, CaseIterable {
        case distilbert, tinybert, minilmv2
    }

    @Option(help: "Teacher directory (for distilbert: with a masked-LM head, e.g. from `distill mlm`).")
    var teacher: String

    @Option(help: "Student directory (from `distill student`, layers copied from the teacher or --random).")
    var student: String

    @Option(parsing: .upToNextOption, help: "Corpus files (UTF-8 text, one document per line), read in turn.")
    var corpus: [String]

    @Option(help: "Output directory.")
    var output: String

    @Option(help: "distilbert, tinybert or minilmv2.")
    var objective: ObjectiveName

    @Option(help: "Held-out text for masked-token accuracy (distilbert only: the student needs a masked-LM head).")
    var heldout: String?

    @Option(help: "Held-out sequences to evaluate (the first ones of the file).")
    var evalSequences = 512

    @Flag(help: "Documents are paragraphs separated by blank lines instead of lines.")
    var paragraphs = false

    @Flag(help: "Skip corpus lines that are not UTF-8 text instead of stopping at the first; the corpus is checked through before training and the skipped lines of each file counted.")
    var skipBadRows = false

    @Option(help: "distilbert: softmax temperature T (default 2).")
    var temperature: Float?

    @Option(help: "distilbert: weight of the vocabulary KL (default 5).")
    var alphaCe: Float?

    @Option(help: "distilbert: weight of the student's masked-LM loss (default 2).")
    var alphaMlm: Float?

    @Option(help: "distilbert: weight of the cosine loss between last hidden states (default 1).")
    var alphaCos: Float?

    @Option(help: "tinybert: teacher layer of each student layer, comma-separated (default: (i+1)k-1).")
    var layerMap: LayerList?

    @Option(help: "minilmv2: teacher layer whose relations the student's last layer learns, from 0 (default: the last).")
    var teacherLayer: Int?

    @Option(help: "minilmv2: relation heads; must divide both widths (default: the teacher's attention heads).")
    var relationHeads: Int?

    @Option(help: "Updates to make (required: the corpus is streamed).")
    var maxSteps: Int

    @Option(help: "Sequences per micro-batch.")
    var batchSize = TrainingConfiguration().batchSize

    @Option(name: .customLong("grad-accum"), help: "Micro-batches per update; the effective batch is batch-size x grad-accum.")
    var gradientAccumulation = 1

    @Option(help: "Longest sequence, special tokens included (default: the objective's, see above).")
    var maxLength: Int?

    @Option(name: .customLong("lr"), help: "Peak learning rate (default: the objective's).")
    var learningRate: Float?

    @Option(help: "Fraction of the updates spent warming up (default: the objective's).")
    var warmupRatio: Double?

    @Option(help: "AdamW weight decay (default: the objective's).")
    var weightDecay: Float?

    @Option(help: "Clip the global gradient norm to this; 0 turns clipping off (default: the objective's).")
    var maxGradNorm: Float?

    @Option(help: "Adam's beta2 (default: the objective's).")
    var adamBeta2: Float?

    @Option(help: "Adam's epsilon (default: the objective's).")
    var adamEpsilon: Float?

    @Option(help: "Batches read ahead and grouped by length; 1 turns grouping off.")
    var groupPool = 50

    @Option(help: "Seed of the fresh weights, dropout, masking and batch order (Hugging Face Trainer's default).")
    var seed = TrainingConfiguration().seed

    @Option(help: "Evaluate on --heldout every N updates (default: only at the end).")
    var evalEvery: Int?

    @Option(help: "Write a resumable checkpoint to <output>/checkpoint every N updates (default: only when stopped with Ctrl-C).")
    var saveEvery: Int?

    @Option(help: "Log the loss and each term to <output>/metrics.jsonl every N updates.")
    var logEvery = TrainingConfiguration().logEvery

    @Flag(help: ArgumentHelp(TrainingOptions.bf16Help))
    var bf16 = false

    @OptionGroup(title: "Several processes (mpirun)")
    var dataParallel: DataParallelOptions

    @OptionGroup(title: "Reporting and resuming")
    var session: SessionOptions

    func validate() throws {
        if evalSequences < 1 { throw ValidationError("--eval-sequences must be at least 1") }
        if !session.metrics.isEmpty { throw ValidationError("--metric does not apply: the held-out metrics are masked_accuracy and mlm_loss") }
        let options: [(String, Bool, ObjectiveName)] = [
            ("temperature", temperature != nil, .distilbert), ("alpha-ce", alphaCe != nil, .distilbert),
            ("alpha-mlm", alphaMlm != nil, .distilbert), ("alpha-cos", alphaCos != nil, .distilbert),
            ("layer-map", layerMap != nil, .tinybert), ("teacher-layer", teacherLayer != nil, .minilmv2),
            ("relation-heads", relationHeads != nil, .minilmv2),
        ]
        if let misplaced = options.first(where: { $0.1 && $0.2 != objective }) {
            throw ValidationError("--\(misplaced.0) applies to --objective \(misplaced.2.rawValue) only")
        }
        if heldout != nil && objective != .distilbert {
            throw ValidationError("--heldout needs a student with a masked-LM head: --objective distilbert only")
        }
        if maxGradNorm.map({ $0 < 0 }) == true { throw ValidationError("--max-grad-norm must not be negative (0 turns clipping off)") }
    }

    /// The objective with the options given.
    var generalObjective: any GeneralObjective {
        switch objective {
        case .distilbert:
            var preset = DistilBERTObjective()
            preset.temperature = temperature ?? preset.temperature
            preset.ceWeight = alphaCe ?? preset.ceWeight
            preset.mlmWeight = alphaMlm ?? preset.mlmWeight
            preset.cosineWeight = alphaCos ?? preset.cosineWeight
            return preset
        case .tinybert: return TinyBERTObjective(layerMap: layerMap?.values)
        case .minilmv2: return MiniLMv2Objective(teacherLayer: teacherLayer, relationHeads: relationHeads)
        }
    }

    func run() throws {
        let outputURL = URL(fileURLWithPath: output)
        try session.checkNoStaleCheckpoint(in: outputURL)
        var request = GeneralDistillationRequest(
            teacherDirectory: URL(fileURLWithPath: teacher), studentDirectory: URL(fileURLWithPath: student),
            corpusPaths: corpus, outputDirectory: outputURL, objective: generalObjective, steps: maxSteps)
        var configuration = request.training
        configuration.batchSize = batchSize
        configuration.gradientAccumulation = gradientAccumulation
        configuration.maxLength = maxLength ?? configuration.maxLength
        configuration.learningRate = learningRate ?? configuration.learningRate
        configuration.warmupRatio = warmupRatio ?? configuration.warmupRatio
        configuration.weightDecay = weightDecay ?? configuration.weightDecay
        if let maxGradNorm { configuration.maxGradNorm = maxGradNorm > 0 ? maxGradNorm : nil }
        configuration.adamBeta2 = adamBeta2 ?? configuration.adamBeta2
        configuration.adamEpsilon = adamEpsilon ?? configuration.adamEpsilon
        configuration.seed = seed
        configuration.evaluateEvery = evalEvery
        configuration.saveEvery = saveEvery
        configuration.logEvery = logEvery
        configuration.matmulPrecision = bf16 ? .bf16 : .f32
        dataParallel.apply(to: &configuration)
        request.training = configuration
        request.heldOutPath = heldout
        request.boundary = paragraphs ? .blankLine : .line
        request.skipInvalidLines = skipBadRows
        request.lengthGroupingPool = groupPool
        request.evaluationBatchSize = session.evalBatchSize
        request.evaluationSequences = evalSequences

        let run: GeneralDistillationRun
        do {
            if request.objective.usesMaskedLanguageModel && !FileManager.default.fileExists(atPath: outputURL.appendingPathComponent(TokenCountCache.fileName).path) {
                printError("counting the corpus's tokens for the masking weights (once; kept in \(outputURL.appendingPathComponent(TokenCountCache.fileName).path))")
            }
            run = try GeneralDistillationRun(request, stopRequest: StopRequest.installingSignalHandlers())
        } catch let error as GeneralDistillationError {
            throw Self.commandLineError(error)
        } catch TaskDistillationError.widthMismatch(let studentWidth, let teacherWidth) where objective == .distilbert {
            throw CommandLineError("--alpha-cos: the cosine term compares hidden states of one width, but the student's is "
                + "\(studentWidth) and the teacher's \(teacherWidth); pass --alpha-cos 0 for a narrower student")
        } catch let error as TaskDistillationError {
            throw TaskCommand.commandLineError(error)
        } catch let error as TrainingError {
            guard case .invalidSetting(let setting, let rule) = error else { throw error }
            throw CommandLineError("--\(TrainingOptions.flag(for: setting)) \(rule)")
        }

        let plan = run.trainer.plan, used = run.trainer.configuration
        var notes = [
            "\(request.objective.name) distillation of \(teacher) (\(run.teacher.config.layerCount) layers x \(run.teacher.config.hiddenSize), "
                + "\(run.teacher.parameterCount) parameters) into \(student) (\(run.student.config.layerCount) layers x "
                + "\(run.student.config.hiddenSize), \(run.student.parameterCount) parameters) on \(corpus.joined(separator: ", "))",
            "terms: " + run.objective.terms.map { "\($0.weight) x \($0.term.name)" }.joined(separator: " + "),
            "\(plan.totalSteps) updates (\(plan.warmupSteps) warm-up) of \(used.batchSize) x \(used.gradientAccumulation) sequences of at most "
                + "\(used.maxLength) tokens, peak lr \(used.learningRate)" + used.precisionNote,
        ]
        for (file, count) in run.skippedCorpusLines { notes.append("\(file): \(count) line(s) skipped (not UTF-8 text)") }
        if run.copiedTeacherHead { notes.append("the student's masked-LM head was copied from the teacher") }
        if let reused = run.reusedTokenCounts, reused { notes.append("token counts reused from \(TokenCountCache.fileName)") }
        if !run.freshStudentParameters.isEmpty { notes.append("fresh student weights: " + run.freshStudentParameters.joined(separator: ", ")) }
        printError(notes.joined(separator: "\n"))

        let summary = try run.train(resume: session.resume)
        try MLMCommand.report(summary, checkpoint: run.trainer.checkpointDirectory, deliverable: "student: \(outputURL.path)")
    }

    /// The library's error in the words of this command's options.
    static func commandLineError(_ error: GeneralDistillationError) -> CommandLineError {
        switch error {
        case .noCorpus: CommandLineError("--corpus: give at least one file")
        case .invalidStepCount: CommandLineError("--max-steps must be at least 1")
        case .invalidSetting(let setting, let rule): CommandLineError("--\(flag(for: setting)) \(rule)")
        case .teacherHasNoMaskedLanguageModelHead(let directory, let objective):
            CommandLineError("--teacher \(directory) has no masked-LM head, which --objective \(objective) needs; "
                + "make one with `distill mlm --model \(directory) --corpus ... --output DIR` and pass that as --teacher")
        case .heldOutNeedsMaskedLanguageModel(let objective):
            CommandLineError("--heldout does not apply to --objective \(objective): the student has no masked-LM head")
        case .noHeldOutText(let file): CommandLineError("--heldout \(file): no text to evaluate on")
        case .writeFailed: CommandLineError(error.description)
        }
    }

    /// The option that sets `setting`.
    static func flag(for setting: GeneralDistillationSetting) -> String {
        switch setting {
        case .temperature: "temperature"
        case .ceWeight: "alpha-ce"
        case .mlmWeight: "alpha-mlm"
        case .cosineWeight: "alpha-cos"
        case .attentionWeight, .hiddenWeight: "objective"
        case .relationHeads: "relation-heads"
        case .relationLayer: "teacher-layer"
        case .lengthGroupingPool: "group-pool"
        }
    }
}
