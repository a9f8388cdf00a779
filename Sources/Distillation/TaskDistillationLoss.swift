import Datasets
import Tensors
import Training

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

    public init(temperature: Float = 2, alpha: Float = 0.5, cosineWeight: Float = 0, logitsMSEWeight: Float = 0) {
        self.temperature = temperature
        self.alpha = alpha
        self.cosineWeight = cosineWeight
        self.logitsMSEWeight = logitsMSEWeight
    }

    /// Checks the ranges, naming the option at fault.
    public func validate() throws(TaskDistillationError) {
        guard temperature > 0 && temperature.isFinite else { throw .invalidOption("temperature", "must be a positive number") }
        guard (0...1).contains(alpha) else { throw .invalidOption("alpha", "must be between 0 and 1") }
        guard cosineWeight >= 0 && cosineWeight.isFinite else { throw .invalidOption("cosine-weight", "must not be negative") }
        guard logitsMSEWeight >= 0 && logitsMSEWeight.isFinite else {
            throw .invalidOption("mse-logits-weight", "must not be negative")
        }
    }

    /// Whether the loss needs hidden states, hence the teacher's forward pass at every step.
    public var usesHiddenStates: Bool { cosineWeight > 0 }
}

/// The task-distillation objective on one batch.
///
/// Classification: α · T² · KL(softmax(z_t/T) ‖ softmax(z_s/T)) + (1 − α) · CE(z_s, y), batch means
/// (``SoftTargetLoss/hinton(student:teacher:labels:temperature:alpha:)``). Regression (one output): α · MSE(z_s, z_t)
/// + (1 − α) · MSE(z_s, y). Optionally plus `cosineWeight` × the mean over student layers of the masked cosine
/// loss against the mapped teacher layer (``HiddenStateLoss/cosine(student:teacher:mask:)``), and
/// `logitsMSEWeight` × MSE(z_s, z_t).
public struct TaskDistillationLoss: Sendable {
    public let settings: TaskDistillationSettings
    /// For each student layer, the teacher layer its output is compared with (used when `cosineWeight > 0`).
    public let layerMap: [Int]

    public init(settings: TaskDistillationSettings, layerMap: [Int] = []) {
        self.settings = settings
        self.layerMap = layerMap
    }

    /// The loss and its parts (`kd`, `hard`, and `cosine` / `mse_logits` when weighted) for logging.
    ///
    /// - Parameters:
    ///   - student: `[batch, outputs]` logits, attached to the graph.
    ///   - teacher: `[batch, outputs]` logits (gradients never reach them).
    ///   - batch: Supplies the labels, and the attention mask that selects the positions of the cosine loss.
    ///   - studentHidden, teacherHidden: `hidden_states` (embedding output first) when `cosineWeight > 0`.
    public func callAsFunction(
        student: Tensor, teacher: Tensor, batch: Batch, studentHidden: [Tensor] = [], teacherHidden: [Tensor] = []
    ) throws(TrainingError) -> TrainingLoss {
        let teacher = teacher.detached()
        let a = settings.alpha
        var logged: [String: Double] = [:]
        var loss: Tensor
        if let classes = batch.labels(as: ClassLabels.self)?.classIndices {
            let parts = SoftTargetLoss.hinton(student: student, teacher: teacher, labels: classes,
                                              temperature: settings.temperature, alpha: a)
            loss = parts.loss
            logged = ["kd": Double(parts.soft.item), "hard": Double(parts.hard.item)]
        } else if let targets = batch.labels(as: RegressionTargets.self)?.values {
            let outputs = student.reshaped([targets.count])
            let soft = outputs.meanSquaredError(teacher.reshaped([targets.count]))
            let hard = outputs.meanSquaredError(Tensor(shape: [targets.count], values: targets))
            loss = soft * a + hard * (1 - a)
            logged = ["kd": Double(soft.item), "hard": Double(hard.item)]
        } else {
            throw .unlabelledBatch(exampleIndex: batch.exampleIndices.first ?? 0)
        }
        if settings.logitsMSEWeight > 0 {
            let mse = student.meanSquaredError(teacher)
            loss = loss + mse * settings.logitsMSEWeight
            logged["mse_logits"] = Double(mse.item)
        }
        if settings.cosineWeight > 0 {
            precondition(studentHidden.count == layerMap.count + 1, "\(studentHidden.count) student hidden states for \(layerMap.count) layers")
            var total: Tensor?
            for (studentLayer, teacherLayer) in layerMap.enumerated() {
                let term = HiddenStateLoss.cosine(student: studentHidden[studentLayer + 1],
                                                  teacher: teacherHidden[teacherLayer + 1], mask: batch.attentionMask)
                total = total.map { $0 + term } ?? term
            }
            if let total {
                let cosine = total / Float(layerMap.count)
                loss = loss + cosine * settings.cosineWeight
                logged["cosine"] = Double(cosine.item)
            }
        }
        return TrainingLoss(loss, logged: logged)
    }
}

/// A task-distillation setting or pairing that cannot work, naming the option or file at fault.
public enum TaskDistillationError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidOption(String, String)
    /// `--layer-map` (or the student's recorded layers) does not fit the two models.
    case badLayerMap(source: String, reason: String)
    /// The cosine loss compares hidden states of equal width only.
    case widthMismatch(student: Int, teacher: Int)
    /// Teacher and student disagree on something they must share.
    case incompatible(String)

    public var description: String {
        switch self {
        case .invalidOption(let option, let rule): "--\(option) \(rule)"
        case .badLayerMap(let source, let reason): "\(source): \(reason)"
        case .widthMismatch(let student, let teacher):
            "--cosine-weight needs hidden states of equal width, but the student's are \(student) wide and the teacher's \(teacher)"
        case .incompatible(let reason): reason
        }
    }
}
