import Foundation
import Testing
import Tensors

/// A tensor of values drawn uniformly from `range`.
func randomTensor(
    _ shape: [Int], _ generator: RandomGenerator, in range: ClosedRange<Float> = -1...1, requiresGrad: Bool = false
) -> Tensor {
    let width = range.upperBound - range.lowerBound
    let values = (0..<shape.reduce(1, *)).map { _ in range.lowerBound + width * generator.uniform() }
    return Tensor(shape: shape, values: values, requiresGrad: requiresGrad)
}

/// A tensor whose values have a magnitude in `magnitudes` and a random sign: denominators, and inputs kept clear
/// of a kink (relu at 0) by more than the finite-difference step.
func randomTensorAwayFromZero(
    _ shape: [Int], _ generator: RandomGenerator, magnitudes: ClosedRange<Float> = 0.5...1.5,
    requiresGrad: Bool = false
) -> Tensor {
    let magnitude = randomTensor(shape, generator, in: magnitudes)
    let values = magnitude.scalars.map { generator.uniform() < 0.5 ? -$0 : $0 }
    return Tensor(shape: shape, values: values, requiresGrad: requiresGrad)
}

/// Whether `actual` is within `absolute + relative · |expected|` of `expected`.
func isClose(_ actual: Double, _ expected: Double, relative: Double, absolute: Double) -> Bool {
    abs(actual - expected) <= absolute + relative * abs(expected)
}

/// Expects `actual` to match `expected` element by element (same count), reporting the worst element.
func expectClose(
    _ actual: [Float], _ expected: [Double], relative: Double = 1e-5, absolute: Double = 1e-5, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
    var worst: (index: Int, excess: Double)?
    for (index, (a, e)) in zip(actual, expected).enumerated() {
        let excess = abs(Double(a) - e) - (absolute + relative * abs(e))
        // Written so that a NaN (which compares false) counts as a failure.
        guard !(excess <= 0) else { continue }
        if excess.isNaN || excess > (worst?.excess ?? 0) { worst = (index, excess) }
    }
    if let worst {
        Issue.record("\(what): element \(worst.index) is \(actual[worst.index]), expected \(expected[worst.index])",
                     sourceLocation: sourceLocation)
    }
}

/// Row-major element strides of `shape`.
func rowMajorStrides(_ shape: [Int]) -> [Int] {
    var strides = Array(repeating: 1, count: shape.count)
    for axis in stride(from: shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
    return strides
}
