import Tensors

extension Tensor {
    /// Mean pooling as sentence-transformers does it: the average of `[batch, seq, hidden]` hidden states over the
    /// positions whose `attentionMask` entry (row-major `[batch, seq]`) is not 0, giving `[batch, hidden]`.
    /// A row with no attended position pools to zeros.
    public func meanPooled(attentionMask: [Int32]) -> Tensor {
        let (batch, length) = (shape[0], shape[1])
        precondition(rank == 3 && attentionMask.count == batch * length,
                     "mean pooling \(shape) with a mask of \(attentionMask.count) entries")
        let weights = attentionMask.map { Float($0 == 0 ? 0 : 1) }
        let counts = (0..<batch).map { row in weights[(row * length)..<((row + 1) * length)].reduce(0, +) }
        let summed = (self * Tensor(shape: [batch, length, 1], values: weights)).sum(axis: 1)
        return summed / Tensor(shape: [batch, 1], values: counts.map { Swift.max($0, 1) })
    }

    /// Each row of a `[rows, features]` tensor divided by its L2 norm, or by 1e-12 when the norm is smaller
    /// (`torch.nn.functional.normalize`; a zero row stays zero).
    public func l2NormalizedRows() -> Tensor {
        precondition(rank == 2, "l2NormalizedRows of a tensor of shape \(shape)")
        let norms = (self * self).sum(axis: 1, keepingDimension: true).squareRoot()
        // Raises each norm to the floor by adding a constant, which keeps the division differentiable.
        let raise = Tensor(shape: norms.shape, values: norms.scalars.map { Swift.max(1e-12 - $0, 0) })
        return self / (norms + raise)
    }
}
