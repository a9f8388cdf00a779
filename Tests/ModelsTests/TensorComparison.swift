import SafeTensors
import Tensors
import TestSupport
import Testing

/// Expects `actual` to have `expected`'s shape and to be within `tolerance` of it everywhere; returns the largest
/// absolute difference (infinity when the shapes differ).
@discardableResult
func expectClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) -> Float {
    guard actual.shape == expected.shape else {
        Issue.record("\(what): shape \(actual.shape), expected \(expected.shape)", sourceLocation: sourceLocation)
        return .infinity
    }
    let error = maxAbsDifference(actual, expected)
    #expect(error <= tolerance, "\(what): max abs error \(error) > \(tolerance)", sourceLocation: sourceLocation)
    return error
}

/// The largest |actual − expected| separately over the entries that belong to real tokens and to padding, for a
/// tensor whose axis 0 is the batch and whose axis `positionAxis` is the sequence position that `attentionMask`
/// (row-major `[batch, seq]`) describes.
func maxAbsDifferenceByPosition(_ actual: Tensor, _ expected: Tensor, positionAxis: Int, attentionMask: [Int32])
    -> (tokens: Float, padding: Float)
{
    precondition(actual.shape == expected.shape, "comparing \(actual.shape) with \(expected.shape)")
    let shape = actual.shape
    let length = shape[positionAxis]
    let positionStride = shape[(positionAxis + 1)...].reduce(1, *)
    let batchStride = shape.dropFirst().reduce(1, *)
    var worst: (tokens: Float, padding: Float) = (0, 0)
    let (actualValues, expectedValues) = (actual.scalars, expected.scalars)
    for index in actualValues.indices {
        let row = index / batchStride, position = (index / positionStride) % length
        let error = abs(actualValues[index] - expectedValues[index])
        if attentionMask[row * length + position] == 0 {
            worst.padding = max(worst.padding, error)
        } else {
            worst.tokens = max(worst.tokens, error)
        }
    }
    return worst
}

/// Expects the gradient of each of `parameters` to be within 1e-5 of `grad.<name>` in `golden`, relative to the
/// largest golden gradient of that tensor when it exceeds 1 (the tolerance of the tiny-bert parity tests).
func expectGradientsMatch(_ parameters: [(name: String, tensor: Tensor)], _ golden: SafeTensorsFile,
                          sourceLocation: SourceLocation = #_sourceLocation) throws {
    for (name, parameter) in parameters {
        let expected = try Golden.tensor(golden, "grad.\(name)")
        let grad = try #require(parameter.grad, "no gradient for \(name)", sourceLocation: sourceLocation)
        let scale = max(1, expected.scalars.map(abs).max() ?? 0)
        #expect(maxAbsDifference(grad, expected) <= 1e-5 * scale, "gradient of \(name)", sourceLocation: sourceLocation)
    }
}
