import Datasets
import Models
import NN
import Tensors

/// Runs a question-answering model over SQuAD windows for evaluation and answering.
public enum QuestionAnsweringInference {
    /// The start and end logits of `model` on every window, in order, cut to each window's length; computed in
    /// evaluation mode without recording gradients (the model's mode is restored afterwards), `batchSize`
    /// windows at a time. `onBatch` sees each batch after its forward pass.
    public static func run(
        _ model: QuestionAnswering, on features: [SquadFeature], batchSize: Int, padId: Int32,
        onBatch: (Batch) -> Void = { _ in }
    ) throws -> [WindowLogits] {
        let wasTraining = model.isTraining
        model.setTraining(false)
        defer { model.setTraining(wasTraining) }
        let tokens = features.map(\.tokens)
        let batcher = try Batcher(
            examples: tokens, batchSize: batchSize, padId: padId, maxLength: max(1, tokens.map(\.length).max() ?? 1))
        var logits: [WindowLogits] = []
        logits.reserveCapacity(features.count)
        for batch in batcher.batches(of: batcher.plan(order: .sequential, seed: 0, epoch: 0)) {
            let (start, end) = withoutGrad {
                let output = model(EncoderInput(batch))
                return (output.start.scalars, output.end.scalars)
            }
            for row in 0..<batch.batchSize {
                let length = tokens[batch.exampleIndices[row]].length
                let rowStart = row * batch.sequenceLength
                logits.append(WindowLogits(
                    start: Array(start[rowStart..<rowStart + length]), end: Array(end[rowStart..<rowStart + length])))
            }
            onBatch(batch)
        }
        return logits
    }

    /// The best answer to each of `examples` from its windows `features` (as ``SquadFeaturizer`` numbers them).
    public static func answers(
        _ model: QuestionAnswering, to examples: [SquadExample], features: [SquadFeature], decoder: SpanDecoder,
        batchSize: Int, padId: Int32, onBatch: (Batch) -> Void = { _ in }
    ) throws -> [SpanAnswer] {
        let logits = try run(model, on: features, batchSize: batchSize, padId: padId, onBatch: onBatch)
        var windows = [[(feature: SquadFeature, logits: WindowLogits)]](repeating: [], count: examples.count)
        for (feature, logits) in zip(features, logits) { windows[feature.exampleIndex].append((feature, logits)) }
        return zip(examples, windows).map { example, windows in decoder.answer(context: example.context, windows: windows) }
    }
}
