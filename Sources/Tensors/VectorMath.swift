/// Vectorised transcendental functions on `SIMD16<Float>` for the hot kernels (softmax, GELU, tanh).
/// Scalar `Foundation` calls cost 10-20 ns each; these run 16 lanes in a few instructions.
public typealias Vector = SIMD16<Float>

public enum VectorMath {
    /// e^x, relative error about 2e-7 (Cephes' `expf`: range reduction by ln 2 and a degree-6 polynomial).
    @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        let clamped = clamp(x, -87.33, 88.37)
        // Adding 1.5·2^23 rounds to the nearest integer n and leaves n in the low mantissa bits.
        let magic = Vector(repeating: 12_582_912)
        let shifted = clamped * 1.442_695_040_888_963_4 + magic
        let n = shifted - magic
        // ln 2 split in two so that n * ln2High is exact in float.
        let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = Vector(repeating: 1.987_569_150_0e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        let y = p * r * r + r + 1
        let integer = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- unsafeBitCast(magic, to: SIMD16<Int32>.self)
        let scale = unsafeBitCast((integer &+ 127) &<< 23, to: Vector.self)
        return (y * scale).replacing(with: 0, where: x .< -87.33)
    }

    /// erf(x), absolute error below 1e-7 in `Float` arithmetic: an odd polynomial below |x| = 0.9, and
    /// 1 − e^(−x²) · t · P(t) with t = 1 / (1 + |x|/2) above (least-squares fits made for this function).
    /// The single Abramowitz & Stegun 7.1.26 formula loses 5e-7 to cancellation near 0 in `Float`.
    @inline(__always)
    public static func erf(_ x: Vector) -> Vector {
        let a = abs(x)
        let u = a * a
        var small = Vector(repeating: -5.938_342_8e-4)
        small = small * u + 4.977_792_0e-3
        small = small * u - 2.675_091_2e-2
        small = small * u + 1.128_113_4e-1
        small = small * u - 3.761_237_5e-1
        small = small * u + 1.128_379_1
        let t = 1 / (1 + 0.5 * a)
        var tail = Vector(repeating: 9.696_633_5e-2)
        tail = tail * t - 3.918_441_5e-1
        tail = tail * t + 4.438_927_9e-1
        tail = tail * t - 4.862_443_3e-3
        tail = tail * t + 2.992_981_0e-1
        tail = tail * t + 2.738_332_8e-1
        tail = tail * t + 2.826_447_2e-1
        let y = (1 - tail * t * exp(-u)).replacing(with: small * a, where: a .< 0.9)
        return y.replacing(with: -y, where: x .< 0)
    }

    /// tanh(x) through e^(2|x|); absolute error about 1e-7.
    @inline(__always)
    public static func tanh(_ x: Vector) -> Vector {
        let a = clamp(abs(x), 0, 20)
        let y = 1 - 2 / (exp(2 * a) + 1)
        return y.replacing(with: -y, where: x .< 0)
    }

    // The standard library's `clamped` and `pointwiseMax` follow IEEE NaN rules lane by lane and compile to
    // scalar loops; these compare-and-blend forms compile to a few vector instructions.
    @inline(__always)
    static func abs(_ x: Vector) -> Vector { x.replacing(with: -x, where: x .< 0) }

    @inline(__always)
    public static func maximum(_ a: Vector, _ b: Vector) -> Vector { a.replacing(with: b, where: a .< b) }

    @inline(__always)
    static func clamp(_ x: Vector, _ low: Float, _ high: Float) -> Vector {
        x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
    }

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
