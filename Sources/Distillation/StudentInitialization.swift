import Foundation
import Models
import NN
import SafeTensors
import Tensors

/// Where a student's encoder weights come from.
public enum StudentSource: Sendable, Equatable {
    /// The teacher's layers at these indices (ascending, distinct), in order; `nil` picks
    /// ``StudentInitialization/defaultLayers(teacherLayerCount:)``. Embeddings and, when the layout allows it,
    /// the task head are copied too. This is how DistilBERT was initialised.
    case teacherLayers([Int]?)
    /// Every weight drawn at random, for comparison with a teacher-initialised student.
    case random(RandomStudentShape)
}

/// The shape of a randomly initialised student; a `nil` field takes the teacher's value (the layer count: the
/// number of layers ``StudentInitialization/defaultLayers(teacherLayerCount:)`` would keep).
public struct RandomStudentShape: Sendable, Equatable {
    public var layerCount: Int?
    public var hiddenSize: Int?
    public var headCount: Int?
    public var intermediateSize: Int?

    public init(layerCount: Int? = nil, hiddenSize: Int? = nil, headCount: Int? = nil, intermediateSize: Int? = nil) {
        self.layerCount = layerCount
        self.hiddenSize = hiddenSize
        self.headCount = headCount
        self.intermediateSize = intermediateSize
    }
}

/// What `distill student` builds.
public struct StudentOptions: Sendable, Equatable {
    public var source: StudentSource
    /// The student's layout; `nil` keeps the teacher's.
    public var format: ModelType?
    /// Accept a freshly initialised task head when the teacher's cannot be carried over (a classifier's change of
    /// layout between BERT and DistilBERT); without it such a change is refused.
    public var allowNewHead: Bool
    /// Seeds every weight that is not copied from the teacher.
    public var seed: UInt64

    public init(source: StudentSource = .teacherLayers(nil), format: ModelType? = nil, allowNewHead: Bool = false, seed: UInt64 = 42) {
        self.source = source
        self.format = format
        self.allowNewHead = allowNewHead
        self.seed = seed
    }
}

/// Where the student's task head came from (a classifier's pooler or pre_classifier and classifier, the
/// question-answering `qa_outputs`, the masked-LM transform and bias).
public enum StudentHeadOrigin: Sendable, Equatable, CustomStringConvertible {
    /// Copied weight by weight: the student computes the same function of its last hidden state as the teacher.
    case copiedFromTeacher
    /// Fresh, because the teacher checkpoint has no task head (a pretrained-only model).
    case newTeacherHasNone
    /// Fresh, because the head computes another function in the student's layout (BERT's classifier reads a tanh
    /// pooler, DistilBERT's a ReLU pre_classifier).
    case newLayoutChanged(teacher: ModelType, student: ModelType)
    /// Part of a randomly initialised student.
    case random

    public var description: String {
        switch self {
        case .copiedFromTeacher: "copied from the teacher"
        case .newTeacherHasNone: "new (the teacher checkpoint has no task head)"
        case let .newLayoutChanged(teacher, student):
            "new: the \(teacher.rawValue) head cannot be carried into the \(student.rawValue) layout; "
                + "it must be trained (task distillation trains it)"
        case .random: "random"
        }
    }
}

/// Why a teacher-layer selection is not usable.
public enum LayerSelectionFault: Sendable, Equatable, CustomStringConvertible {
    case empty
    case outOfRange(layer: Int, teacherLayerCount: Int)
    case duplicate(Int)
    case notAscending([Int])

    public var description: String {
        switch self {
        case .empty: "select at least one teacher layer"
        case let .outOfRange(layer, count): "layer \(layer) does not exist; the teacher has layers 0...\(count - 1)"
        case .duplicate(let layer): "layer \(layer) is selected more than once"
        case .notAscending(let layers):
            "\(layers.map(String.init).joined(separator: ",")) is not in ascending order (the student keeps the teacher's layer order)"
        }
    }
}

/// A dimension of a random student (``RandomStudentShape``), as errors name it.
public enum StudentDimension: String, Sendable, CaseIterable, CustomStringConvertible {
    case layerCount, hiddenSize, headCount, intermediateSize

    public var description: String {
        switch self {
        case .layerCount: "the number of layers"
        case .hiddenSize: "the hidden size"
        case .headCount: "the number of attention heads"
        case .intermediateSize: "the feed-forward size"
        }
    }
}

/// Why a student cannot be built.
public enum StudentInitializationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The teacher layers chosen for the student.
    case layerSelection(LayerSelectionFault)
    /// The teacher's trained `head` head would be lost by the change of layout and `allowNewHead` was not given.
    case headNotTransferable(head: String, teacher: ModelType, student: ModelType)
    /// DistilBERT configs cannot state a LayerNorm epsilon; theirs is always 1e-12.
    case layerNormEpsilonNotExpressible(Double)
    /// A dimension of a random student is not positive.
    case nonPositiveDimension(StudentDimension, Int)
    case headCountDoesNotDivideWidth(headCount: Int, hiddenSize: Int)
    /// The student would overwrite the teacher.
    case outputIsTeacherDirectory(path: String)
    /// The teacher's weights are quantized: a student starts from float32 weights.
    case quantizedTeacher(path: String)

    public var description: String {
        switch self {
        case .layerSelection(let fault): "teacher layer selection: \(fault)"
        case let .headNotTransferable(head, teacher, student):
            "the teacher's \(teacher.rawValue) \(head) head cannot be carried into the \(student.rawValue) layout "
                + "(it computes another function there); start the student with a new head, or keep the \(teacher.rawValue) layout"
        case .layerNormEpsilonNotExpressible(let eps):
            "the teacher's layer_norm_eps is \(eps); a DistilBERT config cannot express it (DistilBERT always uses 1e-12), "
                + "so keep the BERT layout"
        case let .nonPositiveDimension(dimension, value): "student shape: \(dimension) must be positive, got \(value)"
        case let .headCountDoesNotDivideWidth(heads, width): "student shape: \(heads) heads do not divide the hidden size \(width)"
        case .outputIsTeacherDirectory(let path): "the student's directory \(path) is the teacher's; choose another directory"
        case .quantizedTeacher(let path): "the teacher \(path) is quantized; make the student from its float32 original"
        }
    }
}

/// A task model ``StudentInitialization`` makes students of: the teacher's head is copied into the student when it
/// computes the same function in the student's layout. Classifiers, question-answering and masked-LM models conform.
public protocol StudentModel: DistillableModel, PretrainedModel {
    /// The head's name in messages (`classification`, ...).
    static var headName: String { get }
    /// Whether the head, copied weight by weight from a model of config `teacher` into one of config `student`
    /// (the teacher's, converted to the student's layout), computes the same function there.
    static func headCarries(from teacher: ModelConfig, to student: ModelConfig) -> Bool
}

extension SequenceClassifier: StudentModel {
    public static let headName = "classification"
    /// Only within a layout: BERT classifies tanh(pooler(h[CLS])), DistilBERT ReLU(pre_classifier(h[CLS])).
    public static func headCarries(from teacher: ModelConfig, to student: ModelConfig) -> Bool {
        teacher.modelType == student.modelType
    }
}

extension QuestionAnswering: StudentModel {
    public static let headName = "question-answering"
    /// Always: `qa_outputs` reads the last hidden state in every layout (DistilBERT's `qa_dropout` acts in training only).
    public static func headCarries(from teacher: ModelConfig, to student: ModelConfig) -> Bool { true }
}

extension MaskedLanguageModel: StudentModel {
    public static let headName = "masked-LM"
    /// When the two heads' activations agree: BERT's `cls.predictions.transform` (dense, `hidden_act`, LayerNorm)
    /// and DistilBERT's `vocab_transform` / `vocab_layer_norm` (dense, `activation`, LayerNorm), with the decoder
    /// tied to the word embeddings plus a bias, are the same function. (The LayerNorm epsilons agree too: a BERT
    /// teacher becomes a DistilBERT student only with DistilBERT's 1e-12.)
    public static func headCarries(from teacher: ModelConfig, to student: ModelConfig) -> Bool {
        headActivation(teacher) == headActivation(student)
    }
}

/// A student built from a teacher, before it is written anywhere.
public struct InitializedStudent<Model: StudentModel> {
    public let model: Model
    /// For each student layer, the teacher layer it was copied from (`nil` for a random student).
    public let teacherLayers: [Int]?
    public let head: StudentHeadOrigin
    /// Whether the teacher's type-0 token-type embedding was added into the position embeddings (BERT teacher,
    /// DistilBERT student).
    public let foldedTokenTypeEmbedding: Bool
}

/// Building smaller students from a teacher, the DistilBERT way: same width, a subset of the teacher's layers,
/// the embeddings and the task head copied. The student has the teacher's head (``StudentModel``): a classifier,
/// question-answering or masked-LM teacher gives a student of the same kind (the masked-LM decoder stays tied to
/// the word embeddings).
///
/// Changing the layout from BERT to DistilBERT drops token-type embeddings. Row 0 of the teacher's
/// `token_type_embeddings` is then added to every position embedding: BERT's embedding sum is
/// word + position + type, so for single-segment inputs (every type id 0) the DistilBERT student's embeddings,
/// and hence all its hidden states, equal those of the BERT student. Sentence-pair inputs lose the segment
/// distinction, as in DistilBERT itself. The other way, a DistilBERT teacher gets all-zero token-type embeddings,
/// which is exact for any type ids.
public enum StudentInitialization {
    /// The config key where a teacher-initialised student records, for each of its layers, the teacher layer it
    /// came from; `distill task` reads it to pair hidden states.
    public static let teacherLayersKey = "distill_teacher_layers"

    /// Every other teacher layer, 0, 2, 4, ... (the and DistilBERT's rule), except for a 12-layer teacher,
    /// where it is the DistilBERT release's choice 0,2,4,7,9,11 (the upper half counted from the top so that the
    /// last layer is kept).
    public static func defaultLayers(teacherLayerCount n: Int) -> [Int] {
        n == 12 ? [0, 2, 4, 7, 9, 11] : Array(stride(from: 0, to: n, by: 2))
    }

    /// Checks a layer selection: non-empty, in range, distinct, ascending.
    public static func validate(layers: [Int], teacherLayerCount: Int) throws(StudentInitializationError) {
        guard !layers.isEmpty else { throw .layerSelection(.empty) }
        if let bad = layers.first(where: { !(0..<teacherLayerCount).contains($0) }) {
            throw .layerSelection(.outOfRange(layer: bad, teacherLayerCount: teacherLayerCount))
        }
        var seen = Set<Int>()
        if let repeated = layers.first(where: { !seen.insert($0).inserted }) { throw .layerSelection(.duplicate(repeated)) }
        guard layers == layers.sorted() else { throw .layerSelection(.notAscending(layers)) }
    }

    /// Builds a student with `teacher`'s head from a loaded teacher. `teacherHasHead` says whether the teacher's
    /// head weights were actually in its checkpoint (as opposed to freshly initialised on loading).
    public static func makeStudent<Model: StudentModel>(from teacher: Model, teacherHasHead: Bool, options: StudentOptions)
        throws(StudentInitializationError) -> InitializedStudent<Model>
    {
        let teacherConfig = teacher.config
        let format = options.format ?? teacherConfig.modelType
        if format == .distilbert && teacherConfig.modelType == .bert && teacherConfig.layerNormEps != 1e-12 {
            throw .layerNormEpsilonNotExpressible(teacherConfig.layerNormEps)
        }
        var config = teacherConfig.converted(to: format)
        let generator = RandomGenerator(seed: options.seed)

        switch options.source {
        case .random(let shape):
            config.layerCount = shape.layerCount ?? defaultLayers(teacherLayerCount: teacherConfig.layerCount).count
            config.hiddenSize = shape.hiddenSize ?? config.hiddenSize
            config.headCount = shape.headCount ?? config.headCount
            config.intermediateSize = shape.intermediateSize ?? config.intermediateSize
            try checkShape(config)
            config.extraKeys[teacherLayersKey] = nil
            config.layerDimensions = nil
            let model = Model(config: config, generator: generator)
            return InitializedStudent(model: model, teacherLayers: nil, head: .random, foldedTokenTypeEmbedding: false)

        case .teacherLayers(let selection):
            let layers = selection ?? defaultLayers(teacherLayerCount: teacherConfig.layerCount)
            try validate(layers: layers, teacherLayerCount: teacherConfig.layerCount)
            let carriesHead = Model.headCarries(from: teacherConfig, to: config)
            if teacherHasHead && !carriesHead && !options.allowNewHead {
                throw .headNotTransferable(head: Model.headName, teacher: teacherConfig.modelType, student: format)
            }
            config.layerCount = layers.count
            config.layerDimensions = config.layerDimensions.map { dimensions in layers.map { dimensions[$0] } }
            config.extraKeys[teacherLayersKey] = .array(layers.map { .number(String($0)) })
            let student = Model(config: config, generator: generator)

            let folded = copyEmbeddings(from: teacher.encoder.embeddings, to: student.encoder.embeddings)
            for (studentLayer, teacherLayer) in zip(student.encoder.layers.items, layers) {
                copyParameters(from: teacher.encoder.layers.items[teacherLayer], to: studentLayer)
            }
            let head: StudentHeadOrigin
            if carriesHead {
                copyHead(from: teacher, to: student)
                head = teacherHasHead ? .copiedFromTeacher : .newTeacherHasNone
            } else {
                head = teacherHasHead ? .newLayoutChanged(teacher: teacherConfig.modelType, student: format) : .newTeacherHasNone
            }
            return InitializedStudent(model: student, teacherLayers: layers, head: head, foldedTokenTypeEmbedding: folded)
        }
    }

    private static func checkShape(_ config: ModelConfig) throws(StudentInitializationError) {
        for (dimension, value) in [(StudentDimension.layerCount, config.layerCount), (.hiddenSize, config.hiddenSize),
                                   (.headCount, config.headCount), (.intermediateSize, config.intermediateSize)] where value <= 0 {
            throw .nonPositiveDimension(dimension, value)
        }
        guard config.hiddenSize % config.headCount == 0 else {
            throw .headCountDoesNotDivideWidth(headCount: config.headCount, hiddenSize: config.hiddenSize)
        }
    }

    /// Copies the head: the pooler if both have one, then every child module beside the encoder, in order. Models
    /// of one kind list the same head modules in every layout, so the lists line up. A tied masked-LM decoder is
    /// the word embedding matrix, already copied; copying values into it keeps the tie.
    private static func copyHead<Model: StudentModel>(from teacher: Model, to student: Model) {
        if let from = teacher.encoder.pooler, let to = student.encoder.pooler { copyParameters(from: from, to: to) }
        func headModules(_ model: Model) -> [Module] { model.children.map(\.module).filter { $0 !== model.encoder } }
        for (from, to) in zip(headModules(teacher), headModules(student)) { copyParameters(from: from, to: to) }
    }

    /// Copies word and position embeddings and the LayerNorm; token types as described on the type. Returns
    /// whether the type-0 embedding was folded into the positions.
    private static func copyEmbeddings(from teacher: Embeddings, to student: Embeddings) -> Bool {
        copyParameters(from: teacher.words, to: student.words)
        copyParameters(from: teacher.positions, to: student.positions)
        copyParameters(from: teacher.layerNorm, to: student.layerNorm)
        switch (teacher.tokenTypes, student.tokenTypes) {
        case let (from?, to?):
            copyParameters(from: from, to: to)
            return false
        case (nil, let to?):
            to.weight.fill(0)
            return false
        case (let from?, nil):
            let positions = student.positions.weight, width = positions.shape[1]
            from.weight.withUnsafeBufferPointer { typeZero in
                positions.withUnsafeMutableBufferPointer { destination in
                    for row in 0..<positions.shape[0] {
                        for column in 0..<width { destination[row * width + column] += typeZero[column] }
                    }
                }
            }
            return true
        case (nil, nil):
            return false
        }
    }

    /// Copies every parameter of `source` into the parameter at the same position of `destination`. The two
    /// modules are of the same kind and width (possibly named in different layouts), so the lists line up.
    static func copyParameters(from source: Module, to destination: Module) {
        let from = source.namedParameters(), to = destination.namedParameters()
        precondition(from.count == to.count, "copying \(from.count) parameters into \(to.count)")
        for (a, b) in zip(from, to) {
            precondition(a.tensor.shape == b.tensor.shape, "copying \(a.name) \(a.tensor.shape) into \(b.name) \(b.tensor.shape)")
            b.tensor.copy(from: a.tensor)
        }
    }
}

/// What `distill student` wrote, for its summary table.
public struct StudentSummary: Sendable {
    public var teacherConfig: ModelConfig
    public var studentConfig: ModelConfig
    public var teacherParameterCount: Int
    public var studentParameterCount: Int
    /// Size of the checkpoint files (`model.safetensors`, or all shards).
    public var teacherCheckpointBytes: Int
    public var studentCheckpointBytes: Int
    /// For each student layer, its teacher layer (`nil` for a random student).
    public var teacherLayers: [Int]?
    public var head: StudentHeadOrigin
    public var foldedTokenTypeEmbedding: Bool
    /// The tokenizer files copied from the teacher's directory.
    public var tokenizerFiles: [String]
}

/// Reading and writing model directories for a student.
extension StudentInitialization {
    /// Tokenizer files of a Hugging Face model directory, copied verbatim into the student's.
    public static let tokenizerFileNames = [
        "vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
    ]

    /// Copies the ``tokenizerFileNames`` that `source` has into `destination` (replacing any there) and returns
    /// their names.
    public static func copyTokenizerFiles(from source: URL, to destination: URL) throws -> [String] {
        var copied: [String] = []
        let fileManager = FileManager.default
        for name in tokenizerFileNames {
            let from = source.appendingPathComponent(name)
            guard fileManager.fileExists(atPath: from.path) else { continue }
            let to = destination.appendingPathComponent(name)
            if fileManager.fileExists(atPath: to.path) { try fileManager.removeItem(at: to) }
            try fileManager.copyItem(at: from, to: to)
            copied.append(name)
        }
        return copied
    }

    /// The task models a teacher directory can hold, by the `architectures` of its `config.json`; a teacher with
    /// none of them (a base or pretraining checkpoint) is read as a ``SequenceClassifier`` with a new head.
    public static var studentModels: [any StudentModel.Type] { [SequenceClassifier.self, QuestionAnswering.self, MaskedLanguageModel.self] }

    /// Loads the teacher in `teacherDirectory` (a classifier, question-answering or masked-LM model, or a base /
    /// pretraining checkpoint, whose student then gets a new classification head), builds the student and writes
    /// `config.json`, `model.safetensors` and the teacher's tokenizer files into `outputDirectory`.
    @discardableResult
    public static func createStudent(teacherDirectory: URL, outputDirectory: URL, options: StudentOptions) throws -> StudentSummary {
        if teacherDirectory.standardizedFileURL.resolvingSymlinksInPath().path
            == outputDirectory.standardizedFileURL.resolvingSymlinksInPath().path
        {
            throw StudentInitializationError.outputIsTeacherDirectory(path: outputDirectory.path)
        }
        let config = try ModelConfig(contentsOf: teacherDirectory.appendingPathComponent("config.json"))
        let kind: any StudentModel.Type = studentModels.first { config.architectures.contains(config.modelType.className($0.architectureSuffix)) }
            ?? SequenceClassifier.self
        return try createStudent(kind, teacherDirectory: teacherDirectory, outputDirectory: outputDirectory, options: options)
    }

    private static func createStudent<Model: StudentModel>(
        _ kind: Model.Type, teacherDirectory: URL, outputDirectory: URL, options: StudentOptions
    ) throws -> StudentSummary {
        let (teacher, report) = try Model.load(from: teacherDirectory)
        guard !teacher.isQuantized else { throw StudentInitializationError.quantizedTeacher(path: teacherDirectory.path) }
        // The head is what lies outside the base model; a missing pooler alone does not make a checkpoint headless.
        let basePrefix = teacher.config.modelType.basePrefix + "."
        let teacherHasHead = !report.missing.contains { !$0.hasPrefix(basePrefix) }
        let student = try makeStudent(from: teacher, teacherHasHead: teacherHasHead, options: options)
        try student.model.save(to: outputDirectory)

        let copied = try copyTokenizerFiles(from: teacherDirectory, to: outputDirectory)

        let teacherFiles = try SafeTensorsCheckpoint(directory: teacherDirectory).files.map(\.url)
        let studentFile = outputDirectory.appendingPathComponent(SafeTensorsCheckpoint.singleFileName)
        return StudentSummary(
            teacherConfig: teacher.config, studentConfig: student.model.config,
            teacherParameterCount: teacher.parameterCount, studentParameterCount: student.model.parameterCount,
            teacherCheckpointBytes: try teacherFiles.reduce(0) { $0 + (try fileSize($1)) },
            studentCheckpointBytes: try fileSize(studentFile),
            teacherLayers: student.teacherLayers, head: student.head,
            foldedTokenTypeEmbedding: student.foldedTokenTypeEmbedding, tokenizerFiles: copied)
    }

    private static func fileSize(_ url: URL) throws -> Int {
        try url.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0
    }
}

extension ModelConfig {
    /// The teacher layer each student layer was copied from, as recorded by `distill student`
    /// (``StudentInitialization/teacherLayersKey``); `nil` when the config has no such record.
    public var distillTeacherLayers: [Int]? {
        guard case .array(let values) = extraKeys[StudentInitialization.teacherLayersKey] else { return nil }
        var layers: [Int] = []
        for value in values {
            guard let layer = value.integerValue else { return nil }
            layers.append(layer)
        }
        return layers
    }
}
