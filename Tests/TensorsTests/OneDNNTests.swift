import Foundation
import Testing
import TestSupport
import Tensors

/// oneDNN matmuls called directly: typed errors, the CPU capability check, run-time output scales, and the
/// bf16 and 8-bit operand types.
@Suite struct OneDNNTests {
    /// `[m, k] · [k, n]` on arrays of raw elements; `C` is the destination's Swift element type.
    static func matmul<A, B, C: Numeric>(
        _ a: [A], _ b: [B], m: Int, k: Int, n: Int, types: (ElementType, ElementType, ElementType), into _: C.Type,
        bias: [Float]? = nil, scales: [Float]? = nil, epilogue: MatmulEpilogue = MatmulEpilogue()
    ) throws -> [C] {
        var c = [C](repeating: 0, count: m * n)
        try a.withUnsafeBytes { a in
            try b.withUnsafeBytes { b in
                try c.withUnsafeMutableBytes { c in
                    try withOptionalPointer(bias) { bias in
                        try withOptionalPointer(scales) { scales in
                            try OneDNN.shared.matmul(
                                a.baseAddress!, .rowMajor([m, k], type: types.0), b.baseAddress!, .rowMajor([k, n], type: types.1),
                                c.baseAddress!, .rowMajor([m, n], type: types.2),
                                bias: bias.map { UnsafeRawPointer($0) }, scales: scales, epilogue: epilogue)
                        }
                    }
                }
            }
        }
        return c
    }

    static func withOptionalPointer<R>(_ array: [Float]?, _ body: (UnsafePointer<Float>?) throws -> R) rethrows -> R {
        guard let array else { return try body(nil) }
        return try array.withUnsafeBufferPointer { try body($0.baseAddress) }
    }

    /// Runs `body` when the CPU (as oneDNN sees it: `ONEDNN_MAX_CPU_ISA` may hide extensions) can multiply
    /// `types`; otherwise expects it to throw the CPU's reason.
    static func whenSupported(_ types: (ElementType, ElementType), _ body: () throws -> Void) {
        let lacking = CPUFeatures.oneDNN.missingSupport(forMatmul: types.0, types.1)
        do {
            try body()
            if let lacking { Issue.record("expected the matmul to be refused: \(lacking)") }
        } catch OneDNNError.unsupportedCPU(_, let reason) where lacking != nil {
            #expect(reason == lacking)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func oneDNNErrorsNameTheOperandsAndTheStatus() {
        let a = [Float](repeating: 1, count: 6), b = [Float](repeating: 1, count: 20)
        var c = [Float](repeating: 0, count: 10)
        // Inner dimensions 3 and 4 disagree: oneDNN refuses the descriptor.
        #expect {
            try c.withUnsafeMutableBytes { c in
                try OneDNN.shared.matmul(a, .rowMajor([2, 3]), b, .rowMajor([4, 5]), c.baseAddress!, .rowMajor([2, 5]))
            }
        } throws: { error in
            guard case .failed(let step, _, let status) = error as? OneDNNError else { return false }
            let text = "\(error)"
            return step == "matmul descriptor" && status == "invalid arguments"
                && text.contains("a: f32 [2, 3] strides [3, 1]") && text.contains("b: f32 [4, 5] strides [5, 1]")
        }
    }

    @Test func argumentsThatDisagreeWithTheEpilogueAreRefused() {
        #expect(throws: OneDNNError.self) {
            _ = try Self.matmul([Float](repeating: 1, count: 4), [Float](repeating: 1, count: 4), m: 2, k: 2, n: 2,
                                types: (.f32, .f32, .f32), into: Float.self, epilogue: MatmulEpilogue(bias: true))
        }
        #expect(throws: OneDNNError.self) {
            _ = try Self.matmul([Float](repeating: 1, count: 4), [Float](repeating: 1, count: 4), m: 2, k: 2, n: 2,
                                types: (.f32, .f32, .f32), into: Float.self, scales: [1, 1])
        }
        #expect(throws: OneDNNError.self) {
            try OneDNN.shared.matmul([Float(1)], MatrixLayout(dims: [1, 1], strides: [1]), [Float(1)], .rowMajor([1, 1]),
                                     UnsafeMutableRawPointer.allocate(byteCount: 4, alignment: 4), .rowMajor([1, 1]))
        }
    }

    @Test func capabilityNamesWhatTheCPULacks() {
        var cpu = CPUFeatures()
        cpu.avx2 = true
        #expect(cpu.missingSupport(forMatmul: .f32, .f32) == nil)
        #expect(cpu.missingSupport(forMatmul: .bf16, .bf16)?.contains("AVX512-BF16 or AMX-BF16") == true)
        #expect(cpu.missingSupport(forMatmul: .u8, .s8)?.contains("AVX512-VNNI, AVX-VNNI or AMX-INT8") == true)
        cpu.avx512VNNI = true
        #expect(cpu.missingSupport(forMatmul: .s8, .s8) == nil)
        #expect(cpu.missingSupport(forMatmul: .bf16, .bf16) != nil)
        cpu.amxBF16 = true
        #expect(cpu.missingSupport(forMatmul: .bf16, .bf16) == nil)
    }

    #if os(Linux)
    /// cpuid and the kernel's view (`/proc/cpuinfo` lists what the CPU has and the kernel supports) agree.
    @Test func detectedFeaturesMatchProcCpuinfo() throws {
        let text = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("flags") })
        let flags = Set(line.split(separator: " ").map(String.init))
        let cpu = CPUFeatures.current
        let pairs: [(String, Bool)] = [
            ("avx2", cpu.avx2), ("avx512f", cpu.avx512f), ("avx512_vnni", cpu.avx512VNNI),
            ("avx512_bf16", cpu.avx512BF16), ("avx_vnni", cpu.avxVNNI), ("amx_tile", cpu.amxTile),
            ("amx_int8", cpu.amxInt8), ("amx_bf16", cpu.amxBF16),
        ]
        for (flag, detected) in pairs { #expect(flags.contains(flag) == detected, "\(flag)") }
    }
    #endif

    /// f32 with scales given at run time, one for the tensor or one per output column: one primitive serves
    /// every set of scales.
    @Test func runTimeScales() throws {
        let generator = RandomGenerator(seed: 72)
        let (m, k, n) = (3, 7, 5)
        let a = randomTensor([m, k], generator).scalars, b = randomTensor([k, n], generator).scalars
        let product = Reference.matmul(a, b, batch: 1, bBatch: 1, m: m, k: k, n: n)
        for scales in [[Float](repeating: 1, count: n), (0..<n).map { Float($0) - 1.5 }] {
            let c = try Self.matmul(a, b, m: m, k: k, n: n, types: (.f32, .f32, .f32), into: Float.self, scales: scales,
                                    epilogue: MatmulEpilogue(outputScales: .perColumnAtRunTime))
            expectClose(c, product.enumerated().map { $1 * Double(scales[$0 % n]) }, "scales \(scales)")
        }
        for scale in [Float(1), -2.5] {
            let c = try Self.matmul(a, b, m: m, k: k, n: n, types: (.f32, .f32, .f32), into: Float.self, scales: [scale],
                                    epilogue: MatmulEpilogue(outputScales: .perTensorAtRunTime))
            expectClose(c, product.map { $0 * Double(scale) }, "scale \(scale)")
        }
    }

    /// 8-bit integer operands against a reference summed in integers: products are exact in the s32
    /// accumulator, so an s32 result is equal and an f32 one is off by the rounding of the final scaling.
    @Test(arguments: [ElementType.s8, .u8], [ElementType.s32, .f32])
    func integerMatmul(source: ElementType, destination: ElementType) {
        let generator = RandomGenerator(seed: 73)
        let (m, k, n) = (5, 37, 19)
        let b = (0..<(k * n)).map { _ in Int8(truncatingIfNeeded: Int(generator.nextUInt64() % 256) - 128) }
        let aValues = (0..<(m * k)).map { _ in Int(generator.nextUInt64() % 256) - (source == .s8 ? 128 : 0) }
        let scales = (0..<n).map { _ in 0.001 + generator.uniform() / 64 }
        let exact = (0..<(m * n)).map { index in
            (0..<k).reduce(0) { $0 + aValues[index / n * k + $1] * Int(b[$1 * n + index % n]) }
        }
        Self.whenSupported((source, .s8)) {
            let types = (source, ElementType.s8, destination)
            let aBytes = aValues.map { UInt8(truncatingIfNeeded: $0) }
            if destination == .s32 {
                #expect(try Self.matmul(aBytes, b, m: m, k: k, n: n, types: types, into: Int32.self) == exact.map { Int32($0) })
            } else {
                let c = try Self.matmul(aBytes, b, m: m, k: k, n: n, types: types, into: Float.self, scales: scales,
                                        epilogue: MatmulEpilogue(outputScales: .perColumnAtRunTime))
                // One rounding of sum × scale in f32.
                expectClose(c, exact.enumerated().map { Double($1) * Double(scales[$0 % n]) }, relative: 1.2e-7, absolute: 0)
            }
        }
    }

    /// bf16 operands whose values bf16 holds exactly: products are exact and sums are f32, so the result matches
    /// the f32 product up to summation order.
    @Test func bf16MatmulMatchesF32() {
        let generator = RandomGenerator(seed: 74)
        let (m, k, n) = (6, 40, 9)
        let a = randomTensor([m, k], generator).scalars.map(Self.bf16Bits)
        let b = randomTensor([k, n], generator).scalars.map(Self.bf16Bits)
        func floats(_ bits: [UInt16]) -> [Float] { bits.map { Float(bitPattern: UInt32($0) << 16) } }
        let reference = Reference.matmul(floats(a), floats(b), batch: 1, bBatch: 1, m: m, k: k, n: n)
        Self.whenSupported((.bf16, .bf16)) {
            let c = try Self.matmul(a, b, m: m, k: k, n: n, types: (.bf16, .bf16, .f32), into: Float.self)
            // 40 terms below 1 in magnitude summed in f32: a few ulps of 40.
            expectClose(c, reference, relative: 0, absolute: 1e-5)
        }
    }

    /// The upper half of `value`'s bits: a bf16 (truncated, which keeps it exactly representable).
    static func bf16Bits(_ value: Float) -> UInt16 { UInt16(value.bitPattern >> 16) }
}
