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

/// Row-major element strides of `shape`.
func rowMajorStrides(_ shape: [Int]) -> [Int] {
    var strides = Array(repeating: 1, count: shape.count)
    for axis in stride(from: shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
    return strides
}
