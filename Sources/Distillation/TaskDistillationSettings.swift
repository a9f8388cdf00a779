import Datasets
import Evaluation
import Models
import Tensors

/// The weights and temperature of task-specific distillation (DistilBERT's second, fine-tuning stage).
public struct TaskDistillationSettings: Sendable, Equatable {
    /// Softens both distributions in the KL term. Default 2 (DistilBERT's task stage).
    public var temperature: Float = 2
    /// Weight of the soft (teacher) term; the hard (label) term gets 1 − α. Default 0.5.
    public var alpha: Float = 0.5
    /// Weight of the cosine loss between the student's hidden states and those of the teacher layers they map
    /// to (needs the teacher's forward pass at every step, so the logits cache is not used). Default 0.
    public var cosineWeight: Float = 0
    /// Weight of an extra mean squared error between student and teacher logits. Default 0.
    public var logitsMSEWeight: Float = 0
    /// Weight of TinyBERT's hidden-state MSE against the mapped teacher layers, through a learned projection when
    /// the widths differ (needs the teacher's forward pass at every step). Default 0.
    public var hiddenMSEWeight: Float = 0

    public init(temperature: Float = 2, alpha: Float = 0.5, cosineWeight: Float = 0, logitsMSEWeight: Float = 0,
                hiddenMSEWeight: Float = 0)
    {
        self.temperature = temperature
        self.alpha = alpha
        self.cosineWeight = cosineWeight
        self.logitsMSEWeight = logitsMSEWeight
        self.hiddenMSEWeight = hiddenMSEWeight
    }

    /// Checks the ranges, naming the setting at fault.
    public func validate() throws(TaskDistillationError) {
        guard temperature > 0 && temperature.isFinite else { throw .invalidSetting(.temperature, "must be a positive number") }
        guard (0...1).contains(alpha) else { throw .invalidSetting(.alpha, "must be between 0 and 1") }
        for (setting, weight) in [(TaskDistillationSetting.cosineWeight, cosineWeight), (.logitsMSEWeight, logitsMSEWeight),
                                  (.hiddenMSEWeight, hiddenMSEWeight)] where !(weight >= 0 && weight.isFinite) {
            throw .invalidSetting(setting, "must not be negative")
        }
    }

    /// The terms besides the soft and hard ones, each when its weight is positive: `logitsMSEWeight` ·
    /// ``LogitsMSE`` (`mse_logits`), `cosineWeight` · ``HiddenStateCosine`` (`cosine`) and `hiddenMSEWeight` ·
    /// ``HiddenStateMSE`` (`hidden_mse`, its projection drawn from `generator`) over the student layers mapped by
    /// `layerMap`.
    public func extraTerms(layerMap: [Int], student: ModelConfig, teacher: ModelConfig, generator: RandomGenerator)
        -> [DistillationObjective.WeightedTerm]
    {
        var terms: [DistillationObjective.WeightedTerm] = []
        if logitsMSEWeight > 0 { terms.append(.init(logitsMSEWeight, LogitsMSE())) }
        if cosineWeight > 0 { terms.append(.init(cosineWeight, HiddenStateCosine(teacherLayers: layerMap))) }
        if hiddenMSEWeight > 0 {
            let term = HiddenStateMSE(teacherLayers: layerMap, student: student, teacher: teacher, generator: generator)
            terms.append(.init(hiddenMSEWeight, term))
        }
        return terms
    }

    /// Whether the loss needs hidden states, hence the teacher's forward pass at every step.
    public var usesHiddenStates: Bool { cosineWeight > 0 || hiddenMSEWeight > 0 }

    /// Whether hidden states of different widths can be compared (only through the hidden-state MSE's projection).
    public var allowsWidthMismatch: Bool { cosineWeight == 0 }
}

extension DistillationObjective {
    /// Task distillation (DistilBERT's task stage) as a list of terms:
    /// classification: α · ``SoftTargetKL`` (`kd`) + (1 − α) · CE(z_s, y) (``LabelLoss``, `hard`);
    /// regression (a teacher with one output): α · MSE(z_s, z_t) (``LogitsMSE`` named `kd`)
    /// + (1 − α) · MSE(z_s, y) (`hard`); then, each when its weight is positive, `logitsMSEWeight` · ``LogitsMSE``
    /// (`mse_logits`), `cosineWeight` · ``HiddenStateCosine`` (`cosine`) and `hiddenMSEWeight` · ``HiddenStateMSE``
    /// (`hidden_mse`, its projection drawn from `generator`) over the student layers mapped by `layerMap`.
    public static func task(
        _ settings: TaskDistillationSettings, layerMap: [Int] = [], student: ModelConfig, teacher: ModelConfig,
        generator: RandomGenerator
    ) -> DistillationObjective {
        let alpha = settings.alpha
        let soft: any DistillationTerm = teacher.labelCount == 1
            ? LogitsMSE(name: "kd") : SoftTargetKL(temperature: settings.temperature)
        return DistillationObjective(
            [WeightedTerm(alpha, soft), WeightedTerm(1 - alpha, LabelLoss())]
                + settings.extraTerms(layerMap: layerMap, student: student, teacher: teacher, generator: generator))
    }
}

/// A setting of task distillation, as errors name it.
public enum TaskDistillationSetting: String, Sendable, CaseIterable, CustomStringConvertible {
    case temperature, alpha, cosineWeight, logitsMSEWeight, hiddenMSEWeight
    /// ``TaskDistillationRequest/inferenceBatchSize``.
    case inferenceBatchSize

    public var description: String {
        switch self {
        case .temperature: "the temperature"
        case .alpha: "the weight of the soft targets (alpha)"
        case .cosineWeight: "the weight of the hidden-state cosine loss"
        case .logitsMSEWeight: "the weight of the logits MSE"
        case .hiddenMSEWeight: "the weight of the hidden-state MSE"
        case .inferenceBatchSize: "the batch size of the teacher's precomputation and of evaluation"
        }
    }
}

/// Where a layer map (the teacher layer of each student layer) came from, for errors.
public enum LayerMapSource: Sendable, Equatable, CustomStringConvertible {
    /// The map the caller asked for (``TaskDistillationRequest/layerMap``).
    case requested
    /// The teacher layers ``StudentInitialization`` recorded in the student's `config.json` at this path.
    case recorded(configPath: String)
    /// The layers a term was given (named by the term).
    case term(String)

    public var description: String {
        switch self {
        case .requested: "the requested layer map"
        case .recorded(let path): "\(path): \(StudentInitialization.teacherLayersKey)"
        case .term(let name): "the \(name) term's layers"
        }
    }
}

/// A task-distillation setting or pairing that cannot work, naming the setting or file at fault.
public enum TaskDistillationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A setting is out of range: which one, and the rule it breaks.
    case invalidSetting(TaskDistillationSetting, String)
    /// A layer map does not fit the two models.
    case badLayerMap(source: LayerMapSource, reason: String)
    /// No layer map was asked for, and the student's config records none.
    case noRecordedLayerMap(configPath: String)
    /// Hidden states of different widths, compared without a projection.
    case widthMismatch(student: Int, teacher: Int)
    /// The examples may be longer than a model has positions.
    case sequencesTooLong(maxLength: Int, positions: Int)
    /// The metric does not apply to the task (a regression metric for classes, or the other way round).
    case metricDoesNotApply(Metric, TaskKind)
    /// Teacher and student disagree on something they must share.
    case incompatible(String)

    public var description: String {
        switch self {
        case .invalidSetting(let setting, let rule): "\(setting) \(rule)"
        case .badLayerMap(let source, let reason): "\(source): \(reason)"
        case .noRecordedLayerMap(let path):
            "\(path): the student records no teacher layers (it was not initialised from the teacher's layers); "
                + "give the teacher layer of each student layer"
        case .widthMismatch(let student, let teacher):
            "hidden states of different widths (the student's \(student), the teacher's \(teacher)) can only be compared through a learned projection"
        case .sequencesTooLong(let maxLength, let positions):
            "the maximum sequence length \(maxLength) exceeds a model's \(positions) positions"
        case .metricDoesNotApply(let metric, let task): "\(metric.rawValue) does not apply to a \(task.rawValue) task"
        case .incompatible(let reason): reason
        }
    }
}
