import Tensors
import Testing

/// The attention of inference, a few sequences at a time, against the three recorded steps it replaces
/// (`attentionScores`, `softmax`, `attentionContext`) over the whole batch: the same values bit for bit, in f32 and
/// in bf16, whatever the chunking (a last chunk shorter than the others included).
struct ChunkedAttentionTests {
    static let (batch, seq, hidden, heads) = (5, 7, 24, 3)

    static func operands(seed: UInt64) -> (q: Tensor, k: Tensor, v: Tensor, mask: Tensor) {
        let generator = RandomGenerator(seed: seed)
        let make = { Tensor.normal([batch, seq, hidden], std: 1, generator: generator) }
        // Every sequence has its own padding (1 to 3 trailing keys dropped), so a wrong mask row would show.
        let mask = (0..<batch).flatMap { b in (0..<seq).map { $0 >= seq - 1 - b % 3 ? Float(-10_000) : 0 } }
        return (make(), make(), make(), Tensor(shape: [batch, seq], values: mask))
    }

    static func stepByStep(_ q: Tensor, _ k: Tensor, _ v: Tensor, _ mask: Tensor, precision: MatmulPrecision) -> Tensor {
        let scores = Tensor.attentionScores(query: q, key: k, heads: heads, scale: 0.3, precision: precision)
        return Tensor.attentionContext(probabilities: scores.softmax(additiveMask: mask), value: v, heads: heads, precision: precision)
    }

    static func bits(_ x: Tensor) -> [UInt16] { x.withUnsafeBufferPointer(as: BFloat16.self) { $0.map(\.bitPattern) } }

    @Test(arguments: [1, 2, 5, nil]) func f32MatchesTheStepsBitForBit(sequencesPerChunk: Int?) {
        let (q, k, v, mask) = Self.operands(seed: 1)
        let expected = Self.stepByStep(q, k, v, mask, precision: .f32).scalars
        let chunked = Tensor.attention(query: q, key: k, value: v, maskBias: mask, heads: Self.heads, scale: 0.3,
                                       sequencesPerChunk: sequencesPerChunk)
        #expect(chunked.shape == q.shape && chunked.elementType == .f32)
        #expect(chunked.scalars == expected)
    }

    /// In bf16 the probabilities are rounded as the product reads them, and a bf16 context is the f32 one rounded;
    /// bf16 Q, K, V are read as they are.
    @Test(.enabled(if: MatmulPrecision.bf16.missingSupport() == nil, "this CPU lacks AVX512-BF16"), arguments: [2, nil])
    func bf16MatchesTheStepsBitForBit(sequencesPerChunk: Int?) throws {
        let (q, k, v, mask) = Self.operands(seed: 2)
        let expected = Self.stepByStep(q, k, v, mask, precision: .bf16)
        let (qb, kb, vb) = (try q.converted(to: .bf16), try k.converted(to: .bf16), try v.converted(to: .bf16))
        let f32 = Tensor.attention(query: qb, key: kb, value: vb, maskBias: mask, heads: Self.heads, scale: 0.3,
                                   precision: .bf16, sequencesPerChunk: sequencesPerChunk)
        #expect(f32.scalars == expected.scalars)
        let bf16 = Tensor.attention(query: q, key: k, value: v, maskBias: mask, heads: Self.heads, scale: 0.3,
                                    precision: .bf16, outputType: .bf16, sequencesPerChunk: sequencesPerChunk)
        #expect(bf16.elementType == .bf16)
        let rounded = try expected.converted(to: .bf16)
        #expect(Self.bits(bf16) == Self.bits(rounded))
    }
}
