import Tensors

/// AdamW exactly as `torch.optim.AdamW`: decoupled weight decay `p ← p · (1 − lr·wd)`, then the Adam update
/// with bias correction, `p ← p − lr/(1−β₁ᵗ) · m / (sqrt(v)/sqrt(1−β₂ᵗ) + eps)`.
/// Defaults are PyTorch's (β = 0.9/0.999, eps 1e-8, weight decay 0.01).
public final class AdamW {
    /// Parameters sharing a weight decay (the BERT convention exempts biases and LayerNorm weights).
    public struct Group {
        public var parameters: [(name: String, tensor: Tensor)]
        public var weightDecay: Float

        public init(parameters: [(name: String, tensor: Tensor)], weightDecay: Float) {
            self.parameters = parameters
            self.weightDecay = weightDecay
        }
    }

    public var groups: [Group]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, eps: Float
    /// Number of steps taken (t in the bias corrections).
    public private(set) var step = 0
    /// First and second moments by parameter name.
    public private(set) var firstMoments: [String: Tensor] = [:]
    public private(set) var secondMoments: [String: Tensor] = [:]

    /// A tensor listed more than once (a tied weight appears under each of its names) is updated once, under the
    /// first name that lists it.
    public init(groups: [Group], learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8) {
        var seen = Set<ObjectIdentifier>()
        self.groups = groups.map { group in
            var unique = group
            unique.parameters = group.parameters.filter { seen.insert(ObjectIdentifier($0.tensor)).inserted }
            return unique
        }
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
    }

    /// The BERT fine-tuning groups: `weightDecay` for every parameter but those the `modules` owning them declare
    /// exempt (biases and LayerNorm parameters, see ``Module/ownParametersExemptFromDecay``), which get none.
    public static func bertGroups(_ parameters: [(name: String, tensor: Tensor)], weightDecay: Float, modules: [Module])
        -> [Group]
    {
        let exempt = modules.reduce(into: Set<ObjectIdentifier>()) { $0.formUnion($1.parametersExemptFromDecay()) }
        let isExempt = { (entry: (name: String, tensor: Tensor)) in exempt.contains(ObjectIdentifier(entry.tensor)) }
        return [Group(parameters: parameters.filter { !isExempt($0) }, weightDecay: weightDecay),
                Group(parameters: parameters.filter(isExempt), weightDecay: 0)]
    }

    /// The BERT fine-tuning groups of all the parameters of `module`.
    public static func bertGroups(of module: Module, weightDecay: Float) -> [Group] {
        bertGroups(module.namedParameters(), weightDecay: weightDecay, modules: [module])
    }

    /// Applies one update to every parameter that has a gradient.
    public func update() {
        step += 1
        let correction1 = 1 - pow(beta1, Float(step))
        let stepSize = learningRate / correction1
        let correction2Root = (1 - pow(beta2, Float(step))).squareRoot()
        let (b1, b2, eps, kernels) = (beta1, beta2, self.eps, VectorKernels.best)
        for group in groups {
            let decay = 1 - learningRate * group.weightDecay
            for (name, parameter) in group.parameters {
                guard let grad = parameter.grad else { continue }
                let m = firstMoments[name] ?? Tensor.zeros(parameter.shape)
                let v = secondMoments[name] ?? Tensor.zeros(parameter.shape)
                firstMoments[name] = m
                secondMoments[name] = v
                parameter.withUnsafeMutableBufferPointer { p in
                    grad.withUnsafeBufferPointer { g in
                        m.withUnsafeMutableBufferPointer { mp in
                            v.withUnsafeMutableBufferPointer { vp in
                                guard let p = p.baseAddress, let g = g.baseAddress, let mp = mp.baseAddress,
                                      let vp = vp.baseAddress else { return }
                                parallelFor(parameter.count, grain: 1 << 15) { range in
                                    let first = range.lowerBound
                                    kernels.adamW(range.count, parameters: p + first, gradients: g + first, firstMoments: mp + first,
                                                  secondMoments: vp + first, decay: decay, beta1: b1, beta2: b2, stepSize: stepSize,
                                                  correction2Root: correction2Root, eps: eps)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Restores moments and step count saved from another run (resuming training).
    public func restore(step: Int, firstMoments: [String: Tensor], secondMoments: [String: Tensor]) {
        self.step = step
        self.firstMoments = firstMoments
        self.secondMoments = secondMoments
    }
}

/// Linear warm-up from 0 to the peak rate, then linear decay to 0 at `totalSteps`
/// (Hugging Face's `get_linear_schedule_with_warmup`), or, when `decays` is false, the peak rate to the end
/// (`get_constant_schedule_with_warmup`).
public struct LinearWarmupSchedule: Sendable {
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var decays: Bool

    public init(peak: Float, warmupSteps: Int, totalSteps: Int, decays: Bool = true) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.decays = decays
    }

    /// The rate for the update after `step` updates have been made.
    public func rate(atStep step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step) / Float(max(1, warmupSteps)) }
        guard decays else { return peak }
        return peak * max(0, Float(totalSteps - step) / Float(max(1, totalSteps - warmupSteps)))
    }
}

/// Scales all gradients so that their global L2 norm is at most `maxNorm` (`torch.nn.utils.clip_grad_norm_`);
/// returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var seen = Set<ObjectIdentifier>()
    let grads = parameters.filter { seen.insert(ObjectIdentifier($0)).inserted }.compactMap(\.grad)
    let total = grads.reduce(Float(0)) { sum, grad in
        sum + grad.withUnsafeBufferPointer { g in g.baseAddress.map { VectorMath.dot(g.count, $0, $0) } ?? 0 }
    }.squareRoot()
    let coefficient = maxNorm / (total + 1e-6)
    if coefficient < 1 {
        for grad in grads {
            grad.withUnsafeMutableBufferPointer { g in
                parallelFor(g.count, grain: 1 << 16) { range in for i in range { g[i] *= coefficient } }
            }
        }
    }
    return total
}

import Foundation
