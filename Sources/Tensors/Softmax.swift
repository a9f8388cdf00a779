/// Softmax and log-softmax over the last axis, optionally after adding a mask (kernels: `VectorKernels`).
extension Tensor {
    /// softmax(x + mask) over the last axis. `additiveMask` has shape `[groups, n]` and row `r` of `self` uses mask
    /// row `r / (rows / groups)`: for attention scores `[batch, heads, seq, seq]` a `[batch, seq]` mask (0 to keep,
    /// a large negative number to drop) hides padded keys from every head and query.
    public func softmax(additiveMask mask: Tensor? = nil) -> Tensor {
        let n = lastDimension, rows = rowCount
        let rowsPerMask = mask.map { m -> Int in
            precondition(m.lastDimension == n && rows % m.rowCount == 0, "softmax mask \(m.shape) for \(shape)")
            return rows / m.rowCount
        } ?? rows
        let y = Tensor(uninitializedShape: shape)
        Self.softmaxRows(rows, n, pointer, mask: mask.map { UnsafePointer($0.pointer) }, firstRow: 0, rowsPerMask: rowsPerMask,
                         into: y.rawPointer, type: .f32)
        let saved = y.savedForBackward
        return y.recording([self]) { g in [g.softmaxBackward(output: saved)] }
    }

    /// softmax(x + mask) of `rows` rows of `n`, row `r` adding mask row `(firstRow + r) / rowsPerMask`, into `y` of
    /// `type`: f32, or bf16 rounded as each row is computed (the f32 values rounded, with no f32 copy stored).
    /// `y` may be `x` itself for f32.
    static func softmaxRows(_ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, mask: UnsafePointer<Float>?, firstRow: Int,
                            rowsPerMask: Int, into y: UnsafeMutableRawPointer, type: ElementType) {
        precondition(type == .f32 || type == .bf16, "softmax into \(type)")
        parallelFor(rows, grain: rowGrain(n)) { range in
            let (first, offset) = (range.lowerBound, range.lowerBound * n)
            if type == .f32 {
                VectorKernels.best.softmaxRows(range.count, n, x + offset, mask: mask, firstRow: firstRow + first,
                                               rowsPerMask: rowsPerMask, y.assumingMemoryBound(to: Float.self) + offset)
                return
            }
            withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { scratch in
                guard let scratch = scratch.baseAddress else { return }
                VectorKernels.best.softmaxRowsBFloat16(range.count, n, x + offset, mask: mask, firstRow: firstRow + first,
                                                       rowsPerMask: rowsPerMask, scratch: scratch,
                                                       y.assumingMemoryBound(to: UInt16.self) + offset)
            }
        }
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
