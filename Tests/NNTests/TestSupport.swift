import Foundation
import NN
import Testing
import Tensors

/// A small layer shape for fast tests (dropout on, so that training mode is visible).
func smallLayerShape(activation: FeedForwardActivation = .gelu, dropout: Float = 0.1) -> TransformerLayerShape {
    TransformerLayerShape(hiddenSize: 8, headCount: 2, intermediateSize: 12, activation: activation,
                          layerNormEps: 1e-12, hiddenDropout: dropout, attentionDropout: dropout)
}

/// Gives every parameter values large enough that attention is far from uniform and every path matters
/// (the default initialisation, std 0.02, makes most of a layer nearly linear).
func randomizeParameters(of module: Module, seed: UInt64) {
    let generator = RandomGenerator(seed: seed)
    for (name, tensor) in module.namedParameters() {
        let isNormWeight = name.lowercased().contains("layernorm") || name.contains("layer_norm")
        let values = Tensor.normal(tensor.shape, mean: isNormWeight && name.hasSuffix("weight") ? 1 : 0, std: 0.3,
                                   generator: generator)
        tensor.copy(from: values)
    }
}

/// A `[batch, seq]` additive mask: 0 for tokens, -10 000 for the last `padding[b]` positions of sequence `b`.
func paddingMask(sequenceLength: Int, padding: [Int]) -> Tensor {
    let values = padding.flatMap { pad in (0..<sequenceLength).map { $0 < sequenceLength - pad ? Float(0) : -10_000 } }
    return Tensor(shape: [padding.count, sequenceLength], values: values)
}

/// One tensor's derivative of a loss along a random direction, by autograd and by central differences.
struct DirectionalDerivative: CustomStringConvertible {
    let name: String
    let autograd: Double
    let finiteDifference: Double

    var description: String { "\(name): autograd \(autograd), finite difference \(finiteDifference)" }
}

/// For each tensor, perturbs it alone along a random direction d and compares grad · d with
/// (L(t + h·d) − L(t − h·d)) / 2h, where L = Σ output ⊙ W for fixed random weights W summed in Double.
/// This checks the gradient of every parameter of a composite module with two forward passes each.
func directionalDerivatives(
    of tensors: [(name: String, tensor: Tensor)], step: Float = 1e-2, seed: UInt64 = 7,
    _ output: () -> Tensor
) -> [DirectionalDerivative] {
    let generator = RandomGenerator(seed: seed)
    for (_, tensor) in tensors { tensor.zeroGrad() }
    let result = output()
    let weights = Tensor.normal(result.shape, std: 1, generator: generator)
    (result * weights).sum().backward()
    let weightValues = weights.scalars.map(Double.init)
    func loss() -> Double {
        zip(withoutGrad(output).scalars, weightValues).reduce(0) { $0 + Double($1.0) * $1.1 }
    }
    return tensors.map { name, tensor in
        let direction = Tensor.normal(tensor.shape, std: 1, generator: generator)
        let original = tensor.clone()
        tensor.addInPlace(direction, scale: step)
        let plus = loss()
        tensor.copy(from: original)
        tensor.addInPlace(direction, scale: -step)
        let minus = loss()
        tensor.copy(from: original)
        let autograd = zip(tensor.grad?.scalars ?? [], direction.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        return DirectionalDerivative(name: name, autograd: autograd, finiteDifference: (plus - minus) / (2 * Double(step)))
    }
}
