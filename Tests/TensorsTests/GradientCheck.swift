import TestSupport
import Testing
import Tensors

/// An element where the gradient autograd computed and the finite-difference estimate disagree.
struct GradientMismatch: CustomStringConvertible {
    let input: Int
    let element: Int
    let autograd: Double
    let finiteDifference: Double

    var description: String {
        "input \(input) element \(element): autograd \(autograd), finite difference \(finiteDifference)"
    }
}

/// Checks reverse-mode gradients against central finite differences.
///
/// The loss is L = Σ op(inputs) ⊙ W for fixed random weights W, so every output element gets a different weight
/// and a wrong formula for any one of them shows. The engine computes in `Float`; the loss is summed in `Double`
/// and the step actually taken (after rounding the perturbed input to `Float`) is used in the quotient, so the
/// estimate is limited by the op's own rounding only.
struct GradientCheck {
    var step: Float = 1e-2
    var relativeTolerance: Double = 1e-2
    var absoluteTolerance: Double = 1e-3
    var weightSeed: UInt64 = 0x5EED

    /// Every element of every input whose autograd gradient is off (a missing `grad` counts as zeros).
    func mismatches(of inputs: [Tensor], _ op: ([Tensor]) -> Tensor) -> [GradientMismatch] {
        for input in inputs {
            input.requiresGrad = true
            input.zeroGrad()
        }
        let output = op(inputs)
        let weights = randomTensor(output.shape, RandomGenerator(seed: weightSeed))
        (output * weights).sum().backward()

        let weightValues = weights.scalars.map(Double.init)
        func loss() -> Double {
            let values = withoutGrad { op(inputs) }.scalars
            return zip(values, weightValues).reduce(0) { $0 + Double($1.0) * $1.1 }
        }

        var result: [GradientMismatch] = []
        for (inputIndex, input) in inputs.enumerated() {
            let autograd = input.grad?.scalars ?? Array(repeating: 0, count: input.count)
            for element in 0..<input.count {
                /// Sets the element and returns the value stored (the step rounded to a float).
                func set(_ value: Float) -> Float {
                    input.withUnsafeMutableBufferPointer { elements in
                        elements[element] = value
                        return elements[element]
                    }
                }
                let original = input.withUnsafeBufferPointer { $0[element] }
                let plusPoint = set(original + step)
                let plus = loss()
                let minusPoint = set(original - step)
                let minus = loss()
                _ = set(original)
                let estimate = (plus - minus) / (Double(plusPoint) - Double(minusPoint))
                let analytic = Double(autograd[element])
                if !isClose(analytic, estimate, relative: relativeTolerance, absolute: absoluteTolerance) {
                    result.append(GradientMismatch(input: inputIndex, element: element, autograd: analytic,
                                                   finiteDifference: estimate))
                }
            }
        }
        return result
    }
}

/// Expects autograd's gradients of `op` with respect to every tensor in `inputs` to match finite differences.
/// `inputs` are made to require gradients; `op` must be deterministic (re-create any random generator inside).
func expectGradientsMatch(
    _ inputs: [Tensor], check: GradientCheck = GradientCheck(), sourceLocation: SourceLocation = #_sourceLocation,
    _ op: ([Tensor]) -> Tensor
) {
    let mismatches = check.mismatches(of: inputs, op)
    #expect(mismatches.isEmpty,
            "\(mismatches.count) gradient mismatches, first: \(mismatches.prefix(4).map(\.description))",
            sourceLocation: sourceLocation)
}

/// The checker itself must be able to fail.
@Suite struct GradientCheckSelfTests {
    /// x · detached(x) hides one of the two paths from autograd: the check must see half the true gradient.
    @Test func flagsAWrongGradient() {
        let x = randomTensorAwayFromZero([2, 3], RandomGenerator(seed: 120))
        let mismatches = GradientCheck().mismatches(of: [x]) { $0[0] * $0[0].detached() }
        #expect(mismatches.count == 6)
        for mismatch in mismatches {
            #expect(isClose(mismatch.autograd * 2, mismatch.finiteDifference, relative: 1e-2, absolute: 1e-3))
        }
    }

    @Test func acceptsARightGradient() {
        let x = randomTensorAwayFromZero([2, 3], RandomGenerator(seed: 121))
        #expect(GradientCheck().mismatches(of: [x]) { $0[0] * $0[0] }.isEmpty)
    }

    /// A 2 % error in a gradient of order 1 is beyond the default tolerances.
    @Test func tolerancesAreTightEnoughToSeeASmallScaleError() {
        let x = randomTensor([4], RandomGenerator(seed: 122), in: 1...2)
        let mismatches = GradientCheck().mismatches(of: [x]) { $0[0] * 1.02 - $0[0].detached() * 0.02 }
        #expect(mismatches.count == 4)
    }
}
