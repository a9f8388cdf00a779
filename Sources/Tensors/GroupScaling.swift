extension Tensor {
    /// `self` is `[batch, seq, groups · width]`: the last axis holds `groups` blocks of `width` side by side (the
    /// heads of an attention context, or `width` 1 for feed-forward neurons). Block `g` of row `b` is multiplied by
    /// `gate[b, g]`; `gate` is `[batch, groups]`, or `[1, groups]` for one gate shared by every row.
    ///
    /// Structured pruning differentiates the loss through such gates (all ones) to score each head or neuron
    /// (Michel et al. 2019); a zero gate computes what removing the block computes.
    public func scaledByGroups(_ gate: Tensor) -> Tensor {
        let (batch, seq, width) = (shape[0], shape[1], shape[2])
        let groups = gate.lastDimension
        precondition(rank == 3 && gate.rank == 2 && width % groups == 0 && (gate.shape[0] == batch || gate.shape[0] == 1),
                     "scaledByGroups: \(shape) by gate \(gate.shape)")
        return (reshaped([batch, seq, groups, width / groups]) * gate.reshaped([gate.shape[0], 1, groups, 1]))
            .reshaped(shape)
    }
}
