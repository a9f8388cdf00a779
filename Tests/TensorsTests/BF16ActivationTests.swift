import Tensors
import Testing

/// Products that read and write bf16 activations directly: each gives exactly what rounding its f32 result to
/// bf16 gives (ties to even), so passing activations along in bf16 changes no value, only the passes over memory.
@Suite(.enabled(if: CPUFeatures.oneDNN.missingSupport(forMatmul: .bf16, .bf16) == nil, "this CPU lacks AVX512-BF16"))
struct BF16ActivationTests {
    static func bits(_ x: Tensor) -> [UInt16] { x.withUnsafeBufferPointer(as: BFloat16.self) { $0.map(\.bitPattern) } }
    static func roundedBits(_ x: Tensor) throws -> [UInt16] { bits(try x.converted(to: .bf16)) }

    /// Rows of 37 (not a multiple of the 16 lanes) with a mask shared by groups of rows, as attention has.
    @Test func softmaxWritesItsProbabilitiesRounded() throws {
        let generator = RandomGenerator(seed: 3)
        let x = Tensor.normal([2, 3, 5, 37], std: 3, generator: generator)
        let mask = Tensor(shape: [2, 37], values: (0..<74).map { $0 % 7 == 3 ? -10_000 : 0 })
        let rounded = x.softmax(additiveMask: mask, outputType: .bf16)
        #expect(rounded.elementType == .bf16 && rounded.shape == x.shape)
        let expected = try Self.roundedBits(x.softmax(additiveMask: mask))
        #expect(Self.bits(rounded) == expected)
    }

    /// A bf16 input is read as it is (the same result as its f32 original), and a bf16 output is the f32 output
    /// rounded by the product itself, with and without the fused GELU.
    @Test(arguments: [false, true]) func linearReadsAndWritesBF16(gelu: Bool) throws {
        let generator = RandomGenerator(seed: 5)
        let (x, weight, bias) = (Tensor.normal([9, 3, 40], std: 1, generator: generator),
                                 Tensor.normal([24, 40], std: 0.2, generator: generator), Tensor.normal([24], std: 0.1, generator: generator))
        let layer = BF16Linear(converting: weight)
        try layer.prepare { $0 }
        let fromF32 = layer.apply(x, bias: bias, gelu: gelu)
        let bf16Input = try x.converted(to: .bf16)
        #expect(layer.apply(bf16Input, bias: bias, gelu: gelu).scalars == fromF32.scalars)
        let bf16Output = layer.apply(x, bias: bias, gelu: gelu, outputType: .bf16)
        #expect(bf16Output.elementType == .bf16 && bf16Output.shape == [9, 3, 24])
        let expected = try Self.roundedBits(fromF32)
        #expect(Self.bits(bf16Output) == expected)
    }

    /// `P V` from bf16 operands written in bf16 is the f32 context rounded; bf16 operands are used as they are.
    @Test func attentionContextWritesBF16() throws {
        let generator = RandomGenerator(seed: 9)
        let probabilities = Tensor.normal([2, 4, 6, 6], std: 1, generator: generator).softmax()
        let value = Tensor.normal([2, 6, 32], std: 1, generator: generator)
        let (p, v) = (try probabilities.converted(to: .bf16), try value.converted(to: .bf16))
        let f32 = Tensor.attentionContext(probabilities: probabilities, value: value, heads: 4, precision: .bf16)
        #expect(Tensor.attentionContext(probabilities: p, value: v, heads: 4, precision: .bf16).scalars == f32.scalars)
        let bf16 = Tensor.attentionContext(probabilities: p, value: v, heads: 4, precision: .bf16, outputType: .bf16)
        let expected = try Self.roundedBits(f32)
        #expect(bf16.elementType == .bf16 && Self.bits(bf16) == expected)
    }
}
