import Models
import Tensors

/// TinyBERT's attention term: Σ over student layers of MSE(A_s, A_t) over all `[batch, heads, seq, seq]` entries,
/// where A are the pre-softmax scores Q Kᵀ/√d with the padding mask added, of the student layer and of the
/// teacher layer it maps to. Entries ≤ −100 (masked keys) are set to 0 in both first, as TinyBERT does, so that
/// the mask's large negative numbers do not count. Needs equal head counts.
public struct AttentionScoreMSE: DistillationTerm {
    public let name: String
    let layers: LayerMapping

    public init(name: String = "attention", teacherLayers: [Int]) {
        self.name = name
        layers = LayerMapping(teacherLayers: teacherLayers, offset: 0)
    }

    public var encoderOutputs: EncoderOutputOptions { EncoderOutputOptions(attentions: true) }

    public func checkPairing(student: ModelConfig, teacher: ModelConfig) throws(TaskDistillationError) {
        guard student.headCount == teacher.headCount else {
            throw .incompatible("attention scores compare heads one to one, but the student has \(student.headCount) heads and the teacher \(teacher.headCount)")
        }
        try layers.check(term: name, student: student, teacher: teacher)
        // A pruned model's layers have heads of their own.
        for (studentLayer, teacherLayer) in layers.pairs {
            let (ours, theirs) = (student.dimensions(ofLayer: studentLayer).headCount, teacher.dimensions(ofLayer: teacherLayer).headCount)
            guard ours == theirs else {
                throw .incompatible("attention scores compare heads one to one, but student layer \(studentLayer) has \(ours) "
                    + "heads and teacher layer \(teacherLayer) \(theirs) (a pruned layer keeps fewer: leave this term out)")
            }
        }
    }

    public func loss(_ pair: DistillationPair) throws -> Tensor {
        let (student, teacher) = pair.encoders
        return layers.sum(student: student.attentionScores, teacher: teacher.attentionScores, Self.loss(student:teacher:))
    }

    /// MSE over all entries of one layer's scores, entries ≤ −100 zeroed in both.
    public static func loss(student: Tensor, teacher: Tensor) -> Tensor {
        withoutMaskedEntries(student).meanSquaredError(withoutMaskedEntries(teacher.detached()))
    }

    /// `scores` with every entry ≤ −100 replaced by 0 (the gradient of those entries is 0).
    static func withoutMaskedEntries(_ scores: Tensor) -> Tensor {
        let kept = withoutGrad { scores.map { Vector(repeating: 1).replacing(with: 0, where: $0 .<= -100) } }
        return scores * kept
    }
}
