import Datasets
import Models
import NN
import Tensors

/// Runs a sequence classifier over tokenized examples for evaluation and prediction.
public enum ClassifierInference {
    /// The logits of `model` for every example of `batcher`, in the batcher's example order, computed in
    /// evaluation mode (no dropout) without recording gradients; the model's mode is restored afterwards.
    ///
    /// `onBatch` sees each batch after its forward pass (for timing or progress).
    public static func run(
        _ model: SequenceClassifier, on batcher: Batcher, onBatch: (Batch) -> Void = { _ in }
    ) -> ClassifierOutputs {
        let wasTraining = model.isTraining
        model.setTraining(false)
        defer { model.setTraining(wasTraining) }
        let labelCount = model.config.labelCount
        var logits: [Float] = []
        logits.reserveCapacity(batcher.examples.count * labelCount)
        let plan = batcher.plan(order: .sequential, seed: 0, epoch: 0)
        for batch in batcher.batches(of: plan) {
            logits += withoutGrad { model(EncoderInput(batch)).logits }.scalars
            onBatch(batch)
        }
        return ClassifierOutputs(logits: logits, labelCount: labelCount)
    }
}
