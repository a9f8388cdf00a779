import ArgumentParser
import Distillation
import Foundation
import Models

/// `distill student`: a smaller student initialised from a teacher, the DistilBERT way.
struct StudentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "student",
        abstract: "Make a student from a teacher: a subset of its layers, its embeddings and its task head.",
        discussion: """
            The student has the teacher's width; student layer i is a copy of teacher layer layers[i]. By default \
            every other layer is kept (0,2,4,...), except for a 12-layer teacher, which keeps 0,2,4,7,9,11 as the \
            DistilBERT release did. \
            The student has the teacher's head (config.json's "architectures": sequence classification, question \
            answering or masked LM; a base checkpoint gets a new classification head). Embeddings and the head \
            (pooler and classifier, pre_classifier for DistilBERT; qa_outputs; the masked-LM transform, its decoder \
            tied to the word embeddings) are copied, so a student \
            with all layers computes exactly what the teacher does. The kept layers are recorded in config.json \
            as "distill_teacher_layers" (used by `distill task --cosine-weight` and `--hidden-mse-weight`).

            --format distilbert writes the DistilBERT layout, which has no token-type embeddings: the teacher's \
            type-0 embedding is added into every position embedding, which is exact for single-segment inputs \
            (sentence pairs lose their segment distinction, as in DistilBERT). DistilBERT's classification head \
            (ReLU pre_classifier) is not BERT's (tanh pooler), so a trained one cannot be carried over: pass \
            --allow-new-head to accept a new, untrained head. The question-answering head carries over, and so does \
            the masked-LM head (BERT's cls.predictions and DistilBERT's vocab_transform / vocab_layer_norm / \
            vocab_projector are the same function when hidden_act and activation agree).

            --random makes a randomly initialised student of any shape instead, for comparison.

            Example:
              distill student --teacher runs/minilm-sst2 --layers 0,2,4 \\
                --output runs/student
            """)

    @Option(help: "Teacher directory (config.json, model.safetensors, tokenizer files).")
    var teacher: String

    @Option(help: "Output directory for the student.")
    var output: String

    @Option(help: "Teacher layers to keep, ascending, comma-separated (e.g. 0,2,4). Default: every other one (12 layers: 0,2,4,7,9,11).")
    var layers: LayerList?

    @Option(help: "Layout of the student: bert or distilbert (default: the teacher's).")
    var format: ModelType?

    @Flag(help: "Accept a new, untrained task head when --format changes the layout.")
    var allowNewHead = false

    @Flag(help: "Initialise every weight at random instead of copying the teacher.")
    var random = false

    @Option(help: "With --random: number of layers (default: as many as the default selection keeps).")
    var layersCount: Int?

    @Option(help: "With --random: hidden size (default: the teacher's).")
    var hidden: Int?

    @Option(help: "With --random: attention heads (default: the teacher's).")
    var heads: Int?

    @Option(help: "With --random: feed-forward size (default: the teacher's).")
    var intermediate: Int?

    @Option(help: "Seed of every weight not copied from the teacher.")
    var seed: UInt64 = 42

    func validate() throws {
        if random && layers != nil { throw ValidationError("--layers selects teacher layers; with --random give --layers-count") }
        if !random, layersCount != nil || hidden != nil || heads != nil || intermediate != nil {
            throw ValidationError("--layers-count, --hidden, --heads and --intermediate need --random")
        }
    }

    func run() throws {
        let source: StudentSource = random
            ? .random(RandomStudentShape(layerCount: layersCount, hiddenSize: hidden, headCount: heads, intermediateSize: intermediate))
            : .teacherLayers(layers?.values)
        let options = StudentOptions(source: source, format: format, allowNewHead: allowNewHead, seed: seed)
        let summary: StudentSummary
        do {
            summary = try StudentInitialization.createStudent(
                teacherDirectory: URL(fileURLWithPath: teacher), outputDirectory: URL(fileURLWithPath: output), options: options)
        } catch let error as StudentInitializationError {
            throw Self.commandLineError(error)
        }
        print(Self.table(summary))
        var notes = ["head: \(summary.head)"]
        if summary.foldedTokenTypeEmbedding {
            notes.append("token-type embedding 0 folded into the position embeddings (exact for single-segment inputs)")
        }
        notes.append(summary.tokenizerFiles.isEmpty
            ? "warning: the teacher directory has no tokenizer files, so neither has the student"
            : "tokenizer: copied \(summary.tokenizerFiles.joined(separator: ", "))")
        notes.append("written to \(output)")
        print(notes.joined(separator: "\n"))
    }

    /// The library's error in the words of this command's options.
    static func commandLineError(_ error: StudentInitializationError) -> CommandLineError {
        switch error {
        case .layerSelection(let fault): CommandLineError("--layers: \(fault)")
        case let .headNotTransferable(head, teacher, student):
            CommandLineError(
                "the teacher's \(teacher.rawValue) \(head) head cannot be carried into the \(student.rawValue) layout (it computes "
                    + "another function there); pass --allow-new-head to start the student with a new head, or keep --format \(teacher.rawValue)")
        case .layerNormEpsilonNotExpressible(let eps):
            CommandLineError("the teacher's layer_norm_eps is \(eps); a DistilBERT config cannot express it (DistilBERT always "
                + "uses 1e-12), so use --format bert")
        case let .nonPositiveDimension(dimension, value):
            CommandLineError("student shape: --\(flag(for: dimension)) must be positive, got \(value)")
        case .outputIsTeacherDirectory(let path): CommandLineError("--output \(path) is the teacher's directory; choose another directory")
        case .headCountDoesNotDivideWidth, .quantizedTeacher: CommandLineError(error.description)
        }
    }

    /// The option that sets `dimension` of a random student.
    static func flag(for dimension: StudentDimension) -> String {
        switch dimension {
        case .layerCount: "layers-count"
        case .hiddenSize: "hidden"
        case .headCount: "heads"
        case .intermediateSize: "intermediate"
        }
    }

    static func table(_ summary: StudentSummary) -> String {
        func shape(_ config: ModelConfig) -> [String] {
            [config.modelType.rawValue, "\(config.layerCount)", "\(config.hiddenSize)", "\(config.headCount)", "\(config.intermediateSize)"]
        }
        func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
        let names = ["layout", "layers", "hidden", "heads", "feed-forward", "parameters", "checkpoint", "teacher layers"]
        let teacher = shape(summary.teacherConfig) + [
            "\(summary.teacherParameterCount)", megabytes(summary.teacherCheckpointBytes),
            (0..<summary.teacherConfig.layerCount).map(String.init).joined(separator: ","),
        ]
        let ratio = Double(summary.studentParameterCount) / Double(max(summary.teacherParameterCount, 1))
        let student = shape(summary.studentConfig) + [
            "\(summary.studentParameterCount) (\(String(format: "%.0f%%", 100 * ratio)))", megabytes(summary.studentCheckpointBytes),
            summary.teacherLayers.map { $0.map(String.init).joined(separator: ",") } ?? "(random)",
        ]
        return TextTable(header: ["property", "teacher", "student"], rows: names.indices.map { [names[$0], teacher[$0], student[$0]] }).rendered
    }
}

/// A comma-separated list of layer indices, e.g. `0,2,4`.
struct LayerList: ExpressibleByArgument {
    let values: [Int]

    init?(argument: String) {
        var values: [Int] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Int(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            values.append(value)
        }
        self.values = values
    }
}

// `--format bert|distilbert`, by the model type's config name.
extension ModelType: ExpressibleByArgument {}
