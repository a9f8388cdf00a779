import Models
import NN
import Tensors
import Training

/// MiniLMv2's self-attention relation loss (Wang et al. 2021, "MiniLMv2: Multi-Head Self-Attention Relation
/// Distillation"). For X in (Q, K, V) of one layer, `[batch, seq, hidden]`, the hidden dimension is split into
/// `relationHeads` heads of size d = hidden / heads and R = softmax(X_h X_hᵀ / √d) over the real (unpadded) keys.
/// loss_X is the sum over (batch, head, real query row) of KL(R_teacher row ‖ R_student row), divided by the
/// number of such rows; the loss is loss_Q + loss_K + loss_V. Student and teacher widths may differ: both are
/// split into the same number of relation heads. MiniLMv2 pairs the student's last layer with an upper-middle
/// teacher layer.
public struct SelfAttentionRelation: DistillationTerm {
    /// The queries, keys and values of one attention layer, each `[batch, seq, hidden]`.
    public typealias Projections = (query: Tensor, key: Tensor, value: Tensor)

    public let name: String
    public let relationHeads: Int
    let studentLayer: Int, teacherLayer: Int
    let studentBlock: any TransformerBlock, teacherBlock: any TransformerBlock

    /// Relates student layer `studentLayer` to teacher layer `teacherLayer` (counted from 0). The term recomputes
    /// the layers' Q, K, V from their inputs (the hidden states before them).
    public init(name: String = "relation", student: any DistillableModel, teacher: any DistillableModel, studentLayer: Int,
                teacherLayer: Int, relationHeads: Int) throws(TaskDistillationError)
    {
        let (studentLayers, teacherLayers) = (student.encoder.layers.items, teacher.encoder.layers.items)
        guard studentLayers.indices.contains(studentLayer) else {
            throw .badLayerMap(source: .term(name), reason: "the student has no layer \(studentLayer)")
        }
        guard teacherLayers.indices.contains(teacherLayer) else {
            throw .badLayerMap(source: .term(name), reason: "the teacher has no layer \(teacherLayer)")
        }
        self.name = name
        self.relationHeads = relationHeads
        self.studentLayer = studentLayer
        self.teacherLayer = teacherLayer
        studentBlock = studentLayers[studentLayer]
        teacherBlock = teacherLayers[teacherLayer]
    }

    public var encoderOutputs: EncoderOutputOptions { EncoderOutputOptions(hiddenStates: true) }

    /// The real query rows (times the relation heads, a constant factor).
    public var normalizer: LossNormalizer { .realTokens }

    public func checkPairing(student: ModelConfig, teacher: ModelConfig) throws(TaskDistillationError) {
        guard relationHeads > 0 && student.hiddenSize % relationHeads == 0 && teacher.hiddenSize % relationHeads == 0 else {
            throw .incompatible("\(relationHeads) relation heads do not divide the widths \(student.hiddenSize) and \(teacher.hiddenSize)")
        }
        // A pruned layer's queries, keys and values are narrower than the hidden size.
        let widths = [student.dimensions(ofLayer: studentLayer), teacher.dimensions(ofLayer: teacherLayer)].map { $0.headCount * $0.headSize }
        guard widths.allSatisfy({ $0 % relationHeads == 0 }) else {
            throw .incompatible("\(relationHeads) relation heads do not divide the attention widths \(widths[0]) (student layer "
                + "\(studentLayer)) and \(widths[1]) (teacher layer \(teacherLayer)) of a pruned model")
        }
    }

    public func loss(_ pair: DistillationPair) throws -> Tensor {
        let (student, teacher) = pair.encoders
        let studentInput = student.hiddenStates[studentLayer], teacherInput = teacher.hiddenStates[teacherLayer]
        let studentProjections = studentBlock.selfAttentionProjections(studentInput)
        let teacherProjections = withoutGrad { teacherBlock.selfAttentionProjections(teacherInput) }
        return Self.loss(student: studentProjections, teacher: teacherProjections, attentionMask: pair.batch.attentionMask,
                         relationHeads: relationHeads)
    }

    /// loss_Q + loss_K + loss_V; `attentionMask` is `[batch · seq]`, 1 for real tokens.
    public static func loss(student: Projections, teacher: Projections, attentionMask: [Int32], relationHeads: Int) -> Tensor {
        relationKL(student: student.query, teacher: teacher.query, attentionMask: attentionMask, heads: relationHeads)
            + relationKL(student: student.key, teacher: teacher.key, attentionMask: attentionMask, heads: relationHeads)
            + relationKL(student: student.value, teacher: teacher.value, attentionMask: attentionMask, heads: relationHeads)
    }

    /// loss_X for one of Q, K, V.
    static func relationKL(student: Tensor, teacher: Tensor, attentionMask: [Int32], heads: Int) -> Tensor {
        let (batch, seq) = (student.shape[0], student.shape[1])
        precondition(attentionMask.count == batch * seq, "\(attentionMask.count) mask entries for \(student.shape)")
        // A bias of −10⁴ makes exp underflow to exactly 0, so padded keys get no probability at all; their
        // log-probabilities stay finite, and KL's 0 · log terms vanish.
        let keyBias = Tensor(shape: [batch, 1, 1, seq], values: attentionMask.map { $0 == 0 ? -1e4 : 0 })
        let targets = withoutGrad { relations(teacher.detached(), heads: heads, keyBias: keyBias).softmax() }
        let perRow = relations(student, heads: heads, keyBias: keyBias).logSoftmax().klDivergence(targetProbabilities: targets)
        // Average over the real query rows of every (batch, head): padded queries weigh 0.
        let realRows = attentionMask.filter { $0 != 0 }.count * heads
        let rowWeights = (0..<batch).flatMap { b in
            (0..<heads).flatMap { _ in attentionMask[b * seq..<(b + 1) * seq].map { $0 == 0 ? Float(0) : 1 / Float(realRows) } }
        }
        return (perRow * Tensor(shape: [batch, heads, seq], values: rowWeights)).sum()
    }

    /// X_h X_hᵀ / √d per relation head with `keyBias` added: `[batch, heads, seq, seq]`.
    static func relations(_ x: Tensor, heads: Int, keyBias: Tensor) -> Tensor {
        let headSize = x.lastDimension / heads
        return Tensor.attentionScores(query: x, key: x, heads: heads, scale: 1 / Float(headSize).squareRoot()) + keyBias
    }
}
