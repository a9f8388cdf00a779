/// Multi-head attention for inference, a few sequences at a time: the scores and probabilities of one chunk
/// (about a megabyte) stay in cache from `Q Kᵀ` through the softmax to `P V`, where a whole batch's (25 MB at
/// 32 x 128 tokens and 12 heads) went out to memory and back between each step.
extension Tensor {
    /// softmax(scale · Q Kᵀ + mask) V per head, as `attentionScores`, `softmax` and `attentionContext` compute it
    /// (the same values, bit for bit), without recording gradients. `query`, `key` and `value` are
    /// `[batch, seq, hidden]` with the heads side by side, in f32 or already in `precision`'s operand type; in
    /// bf16 the probabilities are stored rounded to bf16, as the product reads them. `maskBias` is `[batch, seq]`.
    /// The result is `[batch, seq, hidden]` in `outputType` (f32, or bf16 for a bf16 product next).
    /// `sequencesPerChunk` is chosen from the shapes unless given.
    public static func attention(
        query q: Tensor, key k: Tensor, value v: Tensor, maskBias: Tensor?, heads: Int, scale: Float,
        precision: MatmulPrecision = .f32, outputType: ElementType = .f32, sequencesPerChunk: Int? = nil
    ) -> Tensor {
        let (batch, seq, hidden) = (q.shape[0], q.shape[1], q.shape[2])
        precondition(k.shape == q.shape && v.shape == q.shape && hidden % heads == 0, "attention: \(q.shape), \(k.shape), \(v.shape), \(heads) heads")
        precondition(maskBias.map { $0.shape == [batch, seq] } ?? true, "attention mask \(maskBias?.shape ?? []) for \(q.shape)")
        precondition(outputType == .f32 || outputType == .bf16, "attention into \(outputType)")
        precondition(![q, k, v].contains { $0.tracksGrad }, "chunked attention is for inference: it records no gradient")
        let type = precision.operandType
        let (qOperand, kOperand, vOperand) = (q.matmulOperand(precision), k.matmulOperand(precision), v.matmulOperand(precision))
        // About 256 Ki f32 scores a chunk: a megabyte, within the L2 cache of the cores that share the work.
        let chunk = max(1, min(batch, sequencesPerChunk ?? (1 << 18) / max(1, heads * seq * seq)))
        let scores = Tensor(uninitializedShape: [chunk, heads, seq, seq])
        let probabilities = type == .f32 ? scores : Tensor(uninitializedShape: [chunk, heads, seq, seq], elementType: type)
        let result = Tensor(uninitializedShape: q.shape, elementType: outputType)
        let scaled = MatmulEpilogue(outputScales: .constant(scale))
        for first in stride(from: 0, to: batch, by: chunk) {
            let count = min(chunk, batch - first)
            let headsLayout = MatrixLayout.headsOf(batch: count, seq: seq, hidden: hidden, heads: heads, type: type)
            let square = MatrixLayout.rowMajor([count, heads, seq, seq], type: type)
            let (sequenceOffset, rows) = (first * seq * hidden, count * heads * seq)
            OneDNN.shared.validatedMatmul(qOperand.rawPointer + sequenceOffset * type.byteSize, headsLayout,
                                          kOperand.rawPointer + sequenceOffset * type.byteSize, headsLayout.transposed,
                                          scores.rawPointer, square.as(.f32), epilogue: scaled)
            softmaxRows(rows, seq, scores.pointer, mask: maskBias.map { UnsafePointer($0.pointer) + first * seq },
                        firstRow: 0, rowsPerMask: heads * seq, into: probabilities.rawPointer, type: type)
            OneDNN.shared.validatedMatmul(probabilities.rawPointer, square, vOperand.rawPointer + sequenceOffset * type.byteSize,
                                          headsLayout, result.rawPointer + sequenceOffset * outputType.byteSize,
                                          headsLayout.as(outputType))
        }
        return result
    }
}
