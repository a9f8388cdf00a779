import Foundation
import SafeTensors
import Tensors

/// Access to the reference outputs in `../shared/golden` (beside the package root).
public enum Golden {
    /// `../shared` relative to the package root.
    public static let shared: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    public static func url(_ path: String) -> URL { shared.appendingPathComponent(path) }

    /// A float tensor from a golden safetensors file.
    public static func tensor(_ file: any SafeTensorsSource, _ name: String) throws -> Tensor {
        guard let info = file.info(name) else { throw GoldenError.missing(name) }
        return Tensor(shape: info.shape, values: try file.floats(name))
    }

    /// An integer tensor from a golden file, as Int32.
    public static func ints(_ file: any SafeTensorsSource, _ name: String) throws -> [Int32] {
        try file.integers(name).map { Int32($0) }
    }
}

/// A tensor the golden file should have and does not.
public enum GoldenError: Error { case missing(String) }

/// Largest |a − b| over two tensors of the same size.
public func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.count == b.count, "comparing \(a.shape) with \(b.shape)")
    return zip(a.scalars, b.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
