/// Element-by-element arithmetic with broadcasting, and the pointwise functions transformer code needs.
extension Tensor {
    /// Applies `f` to every element, without recording (the building block of the ops below).
    public func map(_ f: (Vector) -> Vector) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let input = pointer, output = result.pointer
        parallelFor(count, grain: 1 << 15) { range in
            VectorMath.map(range.count, input + range.lowerBound, output + range.lowerBound, f)
        }
        return result
    }

    /// Combines corresponding elements of two same-shaped tensors with `f`, without recording.
    public func zipMap(_ other: Tensor, _ f: (Vector, Vector) -> Vector) -> Tensor {
        precondition(shape == other.shape, "zipMap: \(shape) vs \(other.shape)")
        let result = Tensor(uninitializedShape: shape)
        let a = pointer, b = other.pointer, output = result.pointer
        parallelFor(count, grain: 1 << 15) { range in
            let start = range.lowerBound
            VectorMath.map2(range.count, a + start, b + start, output + start, f)
        }
        return result
    }

    /// Combines two tensors with broadcasting, without recording.
    func broadcastMap(_ other: Tensor, _ f: (Vector, Vector) -> Vector) -> Tensor {
        if shape == other.shape { return zipMap(other, f) }
        let plan = BroadcastPlan(shape, other.shape)
        let result = Tensor(uninitializedShape: plan.shape)
        let a = pointer, b = other.pointer, output = result.pointer
        plan.forEachRun { offA, offB, offOut, n, strideA, strideB in
            switch (strideA, strideB) {
            case (1, 1): VectorMath.map2(n, a + offA, b + offB, output + offOut, f)
            case (1, 0):
                let y = Vector(repeating: b[offB])
                VectorMath.map(n, a + offA, output + offOut) { f($0, y) }
            case (0, 1):
                let x = Vector(repeating: a[offA])
                VectorMath.map(n, b + offB, output + offOut) { f(x, $0) }
            default:
                (output + offOut).update(repeating: f(Vector(repeating: a[offA]), Vector(repeating: b[offB]))[0], count: n)
            }
        }
        return result
    }

    /// Adds `other` (same element count) into this tensor in place, outside of autograd.
    public func addInPlace(_ other: Tensor, scale: Float = 1) {
        precondition(count == other.count, "addInPlace: \(shape) += \(other.shape)")
        let a = pointer, b = other.pointer
        parallelFor(count, grain: 1 << 16) { range in
            let start = range.lowerBound
            VectorMath.map2(range.count, a + start, b + start, a + start) { $0 + scale * $1 }
        }
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        a.broadcastMap(b, +).recording([a, b]) { g in [g.reduced(toShape: a.shape), g.reduced(toShape: b.shape)] }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        a.broadcastMap(b, -).recording([a, b]) { g in
            [g.reduced(toShape: a.shape), b.requiresGrad ? (g * -1).reduced(toShape: b.shape) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        a.broadcastMap(b, *).recording([a, b]) { g in
            [a.requiresGrad ? (g * b).reduced(toShape: a.shape) : nil,
             b.requiresGrad ? (g * a).reduced(toShape: b.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        a.broadcastMap(b, /).recording([a, b]) { g in
            [a.requiresGrad ? (g / b).reduced(toShape: a.shape) : nil,
             b.requiresGrad ? (g * a / (b * b) * -1).reduced(toShape: b.shape) : nil]
        }
    }

    public static func * (a: Tensor, s: Float) -> Tensor {
        a.map { $0 * s }.recording([a]) { g in [g * s] }
    }

    public static func + (a: Tensor, s: Float) -> Tensor {
        a.map { $0 + s }.recording([a]) { g in [g] }
    }

    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
    public static prefix func - (a: Tensor) -> Tensor { a * -1 }

    /// e^x.
    public func exp() -> Tensor {
        let y = mapped(VectorKernels.best.exp), saved = y.savedForBackward
        return y.recording([self]) { g in [g * saved] }
    }

    /// Natural logarithm (elementwise, scalar libm: not a hot path).
    public func log() -> Tensor {
        let x = self
        let y = Tensor(shape: shape, values: scalars.map { Foundation.log($0) })
        return y.recording([x]) { g in [g / x] }
    }

    /// Square root (elementwise, scalar libm: not a hot path).
    public func squareRoot() -> Tensor {
        let y = Tensor(shape: shape, values: scalars.map { $0.squareRoot() }), saved = y.savedForBackward
        return y.recording([self]) { g in [g / (saved * 2)] }
    }

    public func tanh() -> Tensor {
        let y = mapped(VectorKernels.best.tanh), saved = y.savedForBackward
        return y.recording([self]) { g in [g.zipMap(saved) { g, t in g * (1 - t * t) }] }
    }

    public func relu() -> Tensor {
        let x = self
        let zero = Vector(repeating: 0)
        return map { VectorMath.maximum($0, zero) }.recording([x]) { g in
            [g.zipMap(x) { g, x in g.replacing(with: 0, where: x .<= 0) }]
        }
    }

    /// SiLU (swish): x · sigmoid(x).
    public func silu() -> Tensor {
        let x = self
        return mapped(VectorKernels.best.silu).recording([x]) { g in [g.zipMapped(x, VectorKernels.best.siluBackward)] }
    }

    /// GELU as BERT uses it: x * Phi(x) with the exact Gaussian CDF (erf form).
    public func gelu() -> Tensor {
        let x = self
        return mapped(VectorKernels.best.gelu).recording([x]) { g in [g.zipMapped(x, VectorKernels.best.geluBackward)] }
    }

    /// GELU with the tanh approximation (`gelu_new`, `gelu_pytorch_tanh`).
    public func geluTanh() -> Tensor {
        let x = self
        return mapped(VectorKernels.best.geluTanh).recording([x]) { g in [g.zipMapped(x, VectorKernels.best.geluTanhBackward)] }
    }

    /// Applies a one-input kernel to every element, on all cores for large tensors, without recording.
    func mapped(_ kernel: (Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let input = pointer, output = result.pointer
        parallelFor(count, grain: 1 << 15) { range in
            kernel(range.count, input + range.lowerBound, output + range.lowerBound)
        }
        return result
    }

    /// Applies a two-input kernel (gradient, input) to corresponding elements of same-shaped tensors.
    func zipMapped(_ other: Tensor, _ kernel: (Int, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Tensor {
        precondition(shape == other.shape, "zipMapped: \(shape) vs \(other.shape)")
        let result = Tensor(uninitializedShape: shape)
        let a = pointer, b = other.pointer, output = result.pointer
        parallelFor(count, grain: 1 << 15) { range in
            kernel(range.count, a + range.lowerBound, b + range.lowerBound, output + range.lowerBound)
        }
        return result
    }
}

import Foundation
