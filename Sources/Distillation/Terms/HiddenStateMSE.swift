import Models
import NN
import Tensors

/// TinyBERT's hidden-state term: Σ over student layers (and, optionally, the embedding output first) of
/// MSE(h_s W_hᵀ + b, h_t) over all elements, where h_t is the output of the mapped teacher layer and W_h a learned
/// `[teacher width, student width]` projection (the identity when the widths are equal). The projection trains with the student and is saved in its checkpoint.
public struct HiddenStateMSE: DistillationTerm {
    public let name: String
    /// Student width → teacher width; `nil` when they are equal.
    public let projection: Linear?
    let layers: LayerMapping

    /// A term for these two models: with a fresh projection (drawn from `generator`) when their widths differ.
    /// `includingEmbeddings` adds the embedding outputs as a first pair (TinyBERT's general distillation).
    public init(name: String = "hidden_mse", teacherLayers: [Int], includingEmbeddings: Bool = false, student: ModelConfig,
                teacher: ModelConfig, generator: RandomGenerator)
    {
        self.name = name
        layers = LayerMapping(teacherLayers: teacherLayers, offset: 1, includingEmbeddings: includingEmbeddings)
        projection = student.hiddenSize == teacher.hiddenSize
            ? nil
            : Linear(inputSize: student.hiddenSize, outputSize: teacher.hiddenSize, std: Float(student.initializerRange),
                     generator: generator)
    }

    public var encoderOutputs: EncoderOutputOptions { EncoderOutputOptions(hiddenStates: true) }

    public var trainableModules: [(name: String, module: Module)] { projection.map { [(name + "_projection", $0)] } ?? [] }

    public func checkPairing(student: ModelConfig, teacher: ModelConfig) throws(TaskDistillationError) {
        let (input, output) = projection.map { ($0.inputSize, $0.outputSize) } ?? (teacher.hiddenSize, teacher.hiddenSize)
        guard student.hiddenSize == input && teacher.hiddenSize == output else {
            throw .widthMismatch(student: student.hiddenSize, teacher: teacher.hiddenSize)
        }
        try layers.check(term: name, student: student, teacher: teacher)
    }

    public func loss(_ pair: DistillationPair) throws -> Tensor {
        let (student, teacher) = pair.encoders
        return layers.sum(student: student.hiddenStates, teacher: teacher.hiddenStates) { student, teacher in
            HiddenStateLoss.projectedMSE(student: student, teacher: teacher) { projection?($0) ?? $0 }
        }
    }
}
