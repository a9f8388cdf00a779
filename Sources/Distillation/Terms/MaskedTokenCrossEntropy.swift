import Datasets
import Tensors
import Training

/// The student's own masked-LM loss (DistilBERT's `alpha_mlm` term): the mean over masked tokens of the
/// cross-entropy of the student's vocabulary logits against the original token (the batch's ``TokenLabels``).
/// The logits are `[batch, seq, vocab]`, or one row per real (unpadded) token in row-major order, as
/// ``GeneralDistillationRun`` computes them to spare the vocabulary projection of padding.
public struct MaskedTokenCrossEntropy: DistillationTerm {
    public let name: String

    public init(name: String = "mlm") { self.name = name }

    public var normalizer: LossNormalizer { .maskedTokens }

    public func loss(_ pair: DistillationPair) throws -> Tensor {
        let batch = pair.batch
        guard let labels = batch.labels(as: TokenLabels.self)?.ids else {
            throw TrainingError.unlabelledBatch(exampleIndex: batch.exampleIndices.first ?? 0)
        }
        let logits = pair.student.logits[0]
        let rows = logits.reshaped([-1, logits.lastDimension])
        let rowLabels = rows.rowCount == labels.count
            ? labels : zip(labels, batch.attentionMask).compactMap { $1 == 0 ? nil : $0 }
        let masked = rowLabels.indices.filter { rowLabels[$0] != TokenLabels.ignored }
        // Nothing masked: a zero still attached to the student, so that back-propagation is a no-op.
        guard !masked.isEmpty else { return rows.gatherRows([0]).sum() * 0 }
        return rows.gatherRows(masked.map(Int32.init)).crossEntropy(targets: masked.map { rowLabels[$0] })
    }
}
