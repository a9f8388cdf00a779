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
