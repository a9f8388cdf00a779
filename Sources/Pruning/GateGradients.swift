import Datasets
import Evaluation
import Models
import NN
import Tensors

/// The gradient of a loss with respect to a gate of ones on every head's output and every feed-forward neuron,
/// one gate per example, so that each example's own gradient comes out (the gates of different rows never mix).
enum GateGradients {
    /// Per layer, `[example][head]` and `[example][neuron]` gradients of `loss(logits)` for `batch`. The model
    /// runs in evaluation mode with its parameters frozen (only the gates need gradients); both are restored.
    static func compute(_ model: SequenceClassifier, batch: Batch, loss: (Tensor) -> Tensor)
        -> (heads: [[[Double]]], neurons: [[[Double]]])
    {
        let layers = model.encoder.layers.items.compactMap { $0 as? any PrunableBlock }
        let parameters = model.namedParameters().map(\.tensor)
        let trainable = parameters.map(\.requiresGrad)
        let wasTraining = model.isTraining
        model.setTraining(false)
        for parameter in parameters { parameter.requiresGrad = false }
        defer {
            for (parameter, flag) in zip(parameters, trainable) { parameter.requiresGrad = flag }
            model.setTraining(wasTraining)
            for layer in layers {
                layer.attention.headGate = nil
                layer.feedForward.neuronGate = nil
            }
        }
        let rows = batch.batchSize
        let headGates = layers.map { Tensor(shape: [rows, $0.attention.headCount], repeating: 1, requiresGrad: true) }
        let neuronGates = layers.map {
            Tensor(shape: [rows, $0.feedForward.intermediate.outputSize], repeating: 1, requiresGrad: true)
        }
        for (layer, (headGate, neuronGate)) in zip(layers, zip(headGates, neuronGates)) {
            layer.attention.headGate = headGate
            layer.feedForward.neuronGate = neuronGate
        }
        loss(model(EncoderInput(batch)).logits).backward()
        func rowsOf(_ gate: Tensor) -> [[Double]] {
            let values = gate.grad?.scalars ?? Array(repeating: 0, count: gate.count)
            return (0..<rows).map { row in
                values[row * gate.lastDimension..<(row + 1) * gate.lastDimension].map(Double.init)
            }
        }
        return (headGates.map(rowsOf), neuronGates.map(rowsOf))
    }
}
