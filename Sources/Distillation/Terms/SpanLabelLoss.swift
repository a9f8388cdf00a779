import Datasets
import Tensors
import Training

/// The hard-target term of extractive question answering: (CE(z_start, s) + CE(z_end, e)) / 2, the student's
/// start and end logits (`[batch, seq]` each) against the batch's ``SpanLabels`` (answer start s and end e).
public struct SpanLabelLoss: DistillationTerm {
    public let name: String

    public init(name: String = "hard") { self.name = name }

    public func loss(_ pair: DistillationPair) throws -> Tensor {
        guard let spans = pair.batch.labels(as: SpanLabels.self) else {
            throw TrainingError.unlabelledBatch(exampleIndex: pair.batch.exampleIndices.first ?? 0)
        }
        return Self.loss(start: pair.student.logits[0], end: pair.student.logits[1], startPositions: spans.starts,
                         endPositions: spans.ends)
    }

    /// The term on start and end logits `[batch, seq]` and one start and end position per row.
    public static func loss(start: Tensor, end: Tensor, startPositions: [Int32], endPositions: [Int32]) -> Tensor {
        SupervisedLoss.span(start: start, end: end, labels: SpanLabels(starts: startPositions, ends: endPositions))
    }
}
