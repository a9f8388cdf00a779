import Tensors

/// A transformer block whose attention heads and feed-forward neurons can be gated, scored and removed one by one
/// (structured pruning). A post-LN `TransformerLayer` is one; a family whose block has other parts conforms by
/// exposing the same two.
public protocol PrunableBlock: TransformerBlock {
    var attention: MultiHeadSelfAttention { get }
    var feedForward: FeedForward { get }
}

extension TransformerLayer: PrunableBlock {}

extension PrunableBlock {
    /// Makes this block compute `source`'s heads `heads` and neurons `neurons` (indices into `source`'s, each
    /// list ascending) in its first `heads.count` heads and `neurons.count` neurons; any further heads or neurons
    /// of this block get zero weights and biases, so they add nothing. The two blocks have the same head size.
    /// With fewer heads and neurons than `source` this is physical pruning; with `source`'s own counts into a
    /// block of the original shape it is the zero-filled form of a pruned block.
    public func copyParts(heads: [Int], neurons: [Int], from source: any PrunableBlock) {
        let size = attention.headSize
        precondition(size == source.attention.headSize && heads.count <= attention.headCount
                     && neurons.count <= feedForward.intermediate.outputSize, "copyParts: shapes do not fit")
        for (target, origin) in [(attention.query, source.attention.query), (attention.key, source.attention.key),
                                 (attention.value, source.attention.value)] {
            target.copyOutputBlocks(heads, size: size, from: origin)
        }
        attention.output.copyInputBlocks(heads, size: size, from: source.attention.output)
        feedForward.intermediate.copyOutputBlocks(neurons, size: 1, from: source.feedForward.intermediate)
        feedForward.output.copyInputBlocks(neurons, size: 1, from: source.feedForward.output)
    }
}

extension Linear {
    /// Output features in blocks of `size` (rows of the weight, entries of the bias): block `blocks[i]` of
    /// `source` becomes block `i` here, every later block zero.
    func copyOutputBlocks(_ blocks: [Int], size: Int, from source: Linear) {
        copyBlocks(blocks, from: source.weight, into: weight, rowsPerBlock: size, columnsPerBlock: inputSize)
        if let bias, let sourceBias = source.bias {
            copyBlocks(blocks, from: sourceBias, into: bias, rowsPerBlock: size, columnsPerBlock: 1)
        }
    }

    /// Input features in blocks of `size` (columns of the weight), as ``copyOutputBlocks(_:size:from:)``; the
    /// bias is copied as it is.
    func copyInputBlocks(_ blocks: [Int], size: Int, from source: Linear) {
        // Columns of a row-major [out, in] matrix are rows of its transpose.
        let transposed = Tensor.zeros([inputSize, outputSize])
        copyBlocks(blocks, from: withoutGrad { source.weight.transposed() }, into: transposed, rowsPerBlock: size,
                   columnsPerBlock: outputSize)
        weight.copy(from: withoutGrad { transposed.transposed() })
        if let bias, let sourceBias = source.bias { bias.copy(from: sourceBias) }
    }
}

/// Rows of `source` in blocks of `rowsPerBlock` rows of `columnsPerBlock` elements: block `blocks[i]` is written
/// as block `i` of `destination`, whose later rows are zeroed.
private func copyBlocks(_ blocks: [Int], from source: Tensor, into destination: Tensor, rowsPerBlock: Int,
                        columnsPerBlock: Int) {
    let blockLength = rowsPerBlock * columnsPerBlock
    source.withUnsafeBufferPointer { from in
        destination.withUnsafeMutableBufferPointer { to in
            to.update(repeating: 0)
            for (position, block) in blocks.enumerated() {
                let start = block * blockLength
                for offset in 0..<blockLength { to[position * blockLength + offset] = from[start + offset] }
            }
        }
    }
}
