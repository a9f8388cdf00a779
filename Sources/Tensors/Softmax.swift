/// Softmax and log-softmax over the last axis, optionally after adding a mask (kernels: `VectorKernels`).
extension Tensor {
    /// softmax(x + mask) over the last axis. `additiveMask` has shape `[groups, n]` and row `r` of `self` uses mask
    /// row `r / (rows / groups)`: for attention scores `[batch, heads, seq, seq]` a `[batch, seq]` mask (0 to keep,
    /// a large negative number to drop) hides padded keys from every head and query.
    ///
    /// `outputType` `.bf16` stores the probabilities rounded to bfloat16 as they are computed (inference only: a
    /// bf16 result records no gradient), for a product that reads bf16 operands.
    public func softmax(additiveMask mask: Tensor? = nil, outputType: ElementType = .f32) -> Tensor {
        precondition(outputType == .f32 || outputType == .bf16, "softmax into \(outputType)")
        precondition(outputType == .f32 || !tracksGrad, "a bf16 softmax records no gradient")
        let n = lastDimension, rows = rowCount
        let rowsPerMask = mask.map { m -> Int in
            precondition(m.lastDimension == n && rows % m.rowCount == 0, "softmax mask \(m.shape) for \(shape)")
            return rows / m.rowCount
        } ?? rows
        let y = Tensor(uninitializedShape: shape, elementType: outputType)
        let x = pointer, maskPointer = mask.map { UnsafePointer($0.pointer) }
        if outputType == .bf16 {
            y.withUnsafeMutableBufferPointer(as: BFloat16.self) { values in
                values.withMemoryRebound(to: UInt16.self) { bits in
                    guard let out = bits.baseAddress else { return }
                    parallelFor(rows, grain: Self.rowGrain(n)) { range in
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { scratch in
                            guard let scratch = scratch.baseAddress else { return }
                            VectorKernels.best.softmaxRowsBFloat16(
                                range.count, n, x + range.lowerBound * n, mask: maskPointer, firstRow: range.lowerBound,
                                rowsPerMask: rowsPerMask, scratch: scratch, out + range.lowerBound * n)
                        }
                    }
                }
            }
            return y
        }
        let out = y.pointer
        parallelFor(rows, grain: Self.rowGrain(n)) { range in
            VectorKernels.best.softmaxRows(range.count, n, x + range.lowerBound * n, mask: maskPointer, firstRow: range.lowerBound,
                                           rowsPerMask: rowsPerMask, out + range.lowerBound * n)
        }
        let saved = y.savedForBackward
        return y.recording([self]) { g in [g.softmaxBackward(output: saved)] }
    }

    /// Gradient of softmax: y ⊙ (g − Σ g ⊙ y) per row.
    func softmaxBackward(output y: Tensor) -> Tensor {
        let n = lastDimension
        let dx = Tensor(uninitializedShape: shape)
        let g = pointer, yp = y.pointer, out = dx.pointer
        parallelFor(rowCount, grain: Self.rowGrain(n)) { range in
            let start = range.lowerBound * n
            VectorKernels.best.softmaxBackwardRows(range.count, n, g + start, yp + start, out + start)
        }
        return dx
    }

    /// log(softmax(x)) over the last axis, computed stably as x − max − log Σ e^(x − max).
    public func logSoftmax() -> Tensor {
        let n = lastDimension
        let y = Tensor(uninitializedShape: shape)
        let x = pointer, out = y.pointer
        parallelFor(rowCount, grain: Self.rowGrain(n)) { range in
            VectorKernels.best.logSoftmaxRows(range.count, n, x + range.lowerBound * n, out + range.lowerBound * n)
        }
        let saved = y.savedForBackward
        return y.recording([self]) { g in
            // d/dx = g − softmax(x) Σ g
            let dx = Tensor(uninitializedShape: saved.shape)
            let gp = g.pointer, yp = saved.pointer, out = dx.pointer
            parallelFor(saved.rowCount, grain: Self.rowGrain(n)) { range in
                let start = range.lowerBound * n
                VectorKernels.best.logSoftmaxBackwardRows(range.count, n, gp + start, yp + start, out + start)
            }
            return [dx]
        }
    }

    /// Rows of `n` worth a thread of their own (about 4096 elements).
    private static func rowGrain(_ n: Int) -> Int { Swift.max(1, 4096 / Swift.max(n, 1)) }
}
