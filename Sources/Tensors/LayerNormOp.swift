/// Layer normalisation over the last axis with a fused backward pass (kernels: `VectorKernels`).
extension Tensor {
    /// (x − mean) / sqrt(var + eps) · weight + bias per row, with the biased variance (as PyTorch).
    public func layerNorm(weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        let n = lastDimension, rows = rowCount
        precondition(weight.count == n && bias.count == n, "layerNorm: weight \(weight.shape) for rows of \(n)")
        let y = Tensor(uninitializedShape: shape)
        var means = [Float](repeating: 0, count: rows), inverseDeviations = [Float](repeating: 0, count: rows)
        let x = pointer, out = y.pointer, w = weight.pointer, b = bias.pointer
        means.withUnsafeMutableBufferPointer { meanBuffer in
            inverseDeviations.withUnsafeMutableBufferPointer { rstdBuffer in
                guard let mean = meanBuffer.baseAddress, let rstd = rstdBuffer.baseAddress else { return }  // no rows
                parallelFor(rows, grain: Swift.max(1, 8192 / Swift.max(n, 1))) { range in
                    let start = range.lowerBound
                    VectorKernels.best.layerNormRows(range.count, n, x + start * n, weight: w, bias: b, eps: eps, out + start * n,
                                                     mean: mean + start, inverseDeviation: rstd + start)
                }
            }
        }
        let input = self
        return y.recording([input, weight, bias]) { g in
            input.layerNormBackward(g, weight: weight, means: means, inverseDeviations: inverseDeviations)
        }
    }

    /// `(self + residual).layerNorm(weight:bias:eps:)`, the same values; when nothing records a gradient the sum
    /// is normalised row by row as it is made (one pass over memory instead of three).
    public func layerNorm(adding residual: Tensor, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        precondition(residual.shape == shape, "layerNorm: residual \(residual.shape) for \(shape)")
        if [self, residual, weight, bias].contains(where: \.tracksGrad) {
            return (self + residual).layerNorm(weight: weight, bias: bias, eps: eps)
        }
        let n = lastDimension
        precondition(weight.count == n && bias.count == n, "layerNorm: weight \(weight.shape) for rows of \(n)")
        let y = Tensor(uninitializedShape: shape)
        let x = pointer, r = residual.pointer, out = y.pointer, w = weight.pointer, b = bias.pointer
        parallelFor(rowCount, grain: Swift.max(1, 8192 / Swift.max(n, 1))) { range in
            let start = range.lowerBound * n
            VectorKernels.best.addLayerNormRows(range.count, n, x + start, adding: r + start, weight: w, bias: b, eps: eps, out + start)
        }
        return y
    }

    /// dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)) with ĝ = g ⊙ weight; dweight = Σ g ⊙ x̂; dbias = Σ g.
    /// Each worker sums the weight and bias gradients of its rows; the partial sums are added at the end.
    private func layerNormBackward(_ g: Tensor, weight: Tensor, means: [Float], inverseDeviations: [Float]) -> [Tensor?] {
        let n = lastDimension, rows = rowCount
        let dx = Tensor(uninitializedShape: shape)
        let workers = Swift.max(1, Swift.min(ParallelConfig.workers, rows / 64))
        let partial = Tensor(shape: [workers, 2, n], repeating: 0)
        let x = pointer, gp = g.pointer, w = weight.pointer, out = dx.pointer, sums = partial.pointer
        let chunk = (rows + workers - 1) / workers
        means.withUnsafeBufferPointer { meanBuffer in
            inverseDeviations.withUnsafeBufferPointer { rstdBuffer in
                guard let mean = meanBuffer.baseAddress, let rstd = rstdBuffer.baseAddress else { return }  // no rows
                parallelFor(workers, grain: 1) { range in
                    for worker in range {
                        let start = worker * chunk, count = Swift.max(0, Swift.min(rows, start + chunk) - start)
                        let dWeight = sums + worker * 2 * n
                        VectorKernels.best.layerNormBackwardRows(
                            count, n, gp + start * n, x + start * n, weight: w, mean: mean + start,
                            inverseDeviation: rstd + start, out + start * n, weightGradientSum: dWeight, biasGradientSum: dWeight + n)
                    }
                }
            }
        }
        let reduced = partial.sum(axis: 0)
        return [dx, reduced.slice(axis: 0, 0..<1).reshaped(weight.shape), reduced.slice(axis: 0, 1..<2).reshaped(weight.shape)]
    }
}
