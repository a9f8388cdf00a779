/// 16-lane loops for arithmetic closures (`Tensor.map`, `zipMap`) and reductions. They are compiled for the
/// architecture's baseline (SSE2 on x86-64): they are bound by memory rather than arithmetic. The transcendental
/// and row kernels, where the instruction set matters, are `VectorKernels`.
public typealias Vector = SIMD16<Float>

public enum VectorMath {
    /// The larger of each pair of lanes. The standard library's `pointwiseMax` follows IEEE NaN rules lane by lane
    /// and compiles to a scalar loop; this compare-and-blend form compiles to a few vector instructions.
    @inline(__always)
    public static func maximum(_ a: Vector, _ b: Vector) -> Vector { a.replacing(with: b, where: a .< b) }

    /// Applies `vector` to whole 16-lane chunks of `count` elements and `scalar` to the tail.
    @inline(__always)
    public static func map(
        _ count: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
        _ vector: (Vector) -> Vector
    ) {
        var i = 0
        while i + 16 <= count {
            let v = UnsafeRawPointer(input + i).loadUnaligned(as: Vector.self)
            UnsafeMutableRawPointer(output + i).storeBytes(of: vector(v), as: Vector.self)
            i += 16
        }
        if i < count {
            var v = Vector(repeating: 0)
            for j in 0..<(count - i) { v[j] = input[i + j] }
            let r = vector(v)
            for j in 0..<(count - i) { output[i + j] = r[j] }
        }
    }

    /// Applies a two-input `vector` function element by element (same tail handling as `map`).
    @inline(__always)
    public static func map2(
        _ count: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
        _ vector: (Vector, Vector) -> Vector
    ) {
        var i = 0
        while i + 16 <= count {
            let x = UnsafeRawPointer(a + i).loadUnaligned(as: Vector.self)
            let y = UnsafeRawPointer(b + i).loadUnaligned(as: Vector.self)
            UnsafeMutableRawPointer(output + i).storeBytes(of: vector(x, y), as: Vector.self)
            i += 16
        }
        if i < count {
            var x = Vector(repeating: 0), y = Vector(repeating: 0)
            for j in 0..<(count - i) { x[j] = a[i + j]; y[j] = b[i + j] }
            let r = vector(x, y)
            for j in 0..<(count - i) { output[i + j] = r[j] }
        }
    }

    /// Sum of `count` floats, accumulated in 16 lanes.
    @inline(__always)
    public static func sum(_ count: Int, _ x: UnsafePointer<Float>) -> Float {
        var acc = Vector(repeating: 0)
        var i = 0
        while i + 16 <= count {
            acc += UnsafeRawPointer(x + i).loadUnaligned(as: Vector.self)
            i += 16
        }
        var total = acc.sum()
        while i < count { total += x[i]; i += 1 }
        return total
    }

    /// Sum of `a[i] * b[i]`.
    @inline(__always)
    public static func dot(_ count: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) -> Float {
        var acc = Vector(repeating: 0)
        var i = 0
        while i + 16 <= count {
            acc += UnsafeRawPointer(a + i).loadUnaligned(as: Vector.self)
                * UnsafeRawPointer(b + i).loadUnaligned(as: Vector.self)
            i += 16
        }
        var total = acc.sum()
        while i < count { total += a[i] * b[i]; i += 1 }
        return total
    }

    /// Largest of `count` floats (`-infinity` when empty).
    @inline(__always)
    public static func max(_ count: Int, _ x: UnsafePointer<Float>) -> Float {
        var acc = Vector(repeating: -.infinity)
        var i = 0
        while i + 16 <= count {
            acc = maximum(acc, UnsafeRawPointer(x + i).loadUnaligned(as: Vector.self))
            i += 16
        }
        var best = acc.max()
        while i < count { best = Swift.max(best, x[i]); i += 1 }
        return best
    }
}
