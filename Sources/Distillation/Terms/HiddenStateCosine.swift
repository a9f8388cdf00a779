import Models
import Tensors
import Training

/// DistilBERT's cosine embedding term: the mean over the mapped layers of the mean over real tokens of
/// 1 − cos(h_s, h_t), where h_t is the output of the teacher layer the student layer maps to (every student layer,
/// or the last one only). Equal widths.
public struct HiddenStateCosine: DistillationTerm {
    public let name: String
    let layers: LayerMapping

    /// `teacherLayers[i]`: the teacher layer of student layer `i`.
    public init(name: String = "cosine", teacherLayers: [Int]) {
        self.name = name
        layers = LayerMapping(teacherLayers: teacherLayers, offset: 1)
    }

    /// The last hidden states only (DistilBERT's general distillation, `alpha_cos`).
    public init(name: String = "cosine", lastLayersOf student: ModelConfig, _ teacher: ModelConfig) {
        self.name = name
        layers = .lastLayers(student: student, teacher: teacher, offset: 1)
    }

    public var encoderOutputs: EncoderOutputOptions { EncoderOutputOptions(hiddenStates: true) }

    public var normalizer: LossNormalizer { .realTokens }

    public func checkPairing(student: ModelConfig, teacher: ModelConfig) throws(TaskDistillationError) {
        guard student.hiddenSize == teacher.hiddenSize else {
            throw .widthMismatch(student: student.hiddenSize, teacher: teacher.hiddenSize)
        }
        try layers.check(term: name, student: student, teacher: teacher)
    }

    public func loss(_ pair: DistillationPair) throws -> Tensor {
        let (student, teacher) = pair.encoders
        let total = layers.sum(student: student.hiddenStates, teacher: teacher.hiddenStates) {
            HiddenStateLoss.cosine(student: $0, teacher: $1, mask: pair.batch.attentionMask)
        }
        return total / Float(layers.pairs.count)
    }
}
