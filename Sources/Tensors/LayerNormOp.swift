/// Layer normalisation over the last axis with a fused backward pass.
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
                let meanBuffer = meanBuffer, rstdBuffer = rstdBuffer
                parallelFor(rows, grain: Swift.max(1, 8192 / Swift.max(n, 1))) { range in
                    for r in range {
                        let src = x + r * n, dst = out + r * n
                        let mean = VectorMath.sum(n, src) / Float(n)
                        let m = Vector(repeating: mean)
                        VectorMath.map(n, src, dst) { ($0 - m) * ($0 - m) }
                        let rstd = 1 / (VectorMath.sum(n, dst) / Float(n) + eps).squareRoot()
                        meanBuffer[r] = mean
                        rstdBuffer[r] = rstd
                        let s = Vector(repeating: rstd)
                        VectorMath.map2(n, src, w, dst) { ($0 - m) * s * $1 }
                        VectorMath.map2(n, dst, b, dst, +)
                    }
                }
            }
        }
        let input = self
        return y.recording([input, weight, bias]) { g in
            input.layerNormBackward(g, weight: weight, means: means, inverseDeviations: inverseDeviations)
        }
    }

    /// dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)) with ĝ = g ⊙ weight; dweight = Σ g ⊙ x̂; dbias = Σ g.
    private func layerNormBackward(_ g: Tensor, weight: Tensor, means: [Float], inverseDeviations: [Float]) -> [Tensor?] {
        let n = lastDimension, rows = rowCount
        let dx = Tensor(uninitializedShape: shape)
        let workers = Swift.max(1, Swift.min(ParallelConfig.workers, rows / 64))
        let partial = Tensor(shape: [workers, 2, n], repeating: 0)
        let x = pointer, gp = g.pointer, w = weight.pointer, out = dx.pointer, sums = partial.pointer
        let chunk = (rows + workers - 1) / workers
        parallelFor(workers, grain: 1) { range in
            for worker in range {
                let dWeight = sums + worker * 2 * n, dBias = dWeight + n
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * n)
                defer { scratch.deallocate() }
                let xhat = scratch, ghat = scratch + n
                for r in (worker * chunk)..<Swift.min(rows, (worker + 1) * chunk) {
                    let m = Vector(repeating: means[r]), s = Vector(repeating: inverseDeviations[r])
                    VectorMath.map(n, x + r * n, xhat) { ($0 - m) * s }
                    VectorMath.map2(n, gp + r * n, w, ghat, *)
                    let meanG = Vector(repeating: VectorMath.sum(n, ghat) / Float(n))
                    let meanGX = Vector(repeating: VectorMath.dot(n, ghat, xhat) / Float(n))
                    VectorMath.map2(n, ghat, xhat, out + r * n) { s * ($0 - meanG - $1 * meanGX) }
                    VectorMath.map2(n, gp + r * n, xhat, xhat, *)
                    VectorMath.map2(n, dWeight, xhat, dWeight, +)
                    VectorMath.map2(n, dBias, gp + r * n, dBias, +)
                }
            }
        }
        let reduced = partial.sum(axis: 0)
        return [dx, reduced.slice(axis: 0, 0..<1).reshaped(weight.shape), reduced.slice(axis: 0, 1..<2).reshaped(weight.shape)]
    }
}
