/// Softmax and log-softmax over the last axis, optionally after adding a mask.
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
        let x = pointer, out = y.pointer, maskPointer = mask?.pointer
        parallelFor(rows, grain: Swift.max(1, 4096 / Swift.max(n, 1))) { range in
            for r in range {
                let src = x + r * n, dst = out + r * n
                if let maskPointer {
                    VectorMath.map2(n, src, maskPointer + (r / rowsPerMask) * n, dst, +)
                } else {
                    dst.update(from: src, count: n)
                }
                let m = Vector(repeating: VectorMath.max(n, dst))
                VectorMath.map(n, dst, dst) { VectorMath.exp($0 - m) }
                let inverse = 1 / VectorMath.sum(n, dst)
                VectorMath.map(n, dst, dst) { $0 * inverse }
            }
        }
        let saved = y.savedForBackward
        return y.recording([self]) { g in [g.softmaxBackward(output: saved)] }
    }

    /// Gradient of softmax: y ⊙ (g − Σ g ⊙ y) per row.
    func softmaxBackward(output y: Tensor) -> Tensor {
        let n = lastDimension
        let dx = Tensor(uninitializedShape: shape)
        let g = pointer, yp = y.pointer, out = dx.pointer
        parallelFor(rowCount, grain: Swift.max(1, 4096 / Swift.max(n, 1))) { range in
            for r in range {
                let dot = Vector(repeating: VectorMath.dot(n, g + r * n, yp + r * n))
                VectorMath.map2(n, g + r * n, yp + r * n, out + r * n) { g, y in y * (g - dot) }
            }
        }
        return dx
    }

    /// log(softmax(x)) over the last axis, computed stably as x − max − log Σ e^(x − max).
    public func logSoftmax() -> Tensor {
        let n = lastDimension
        let y = Tensor(uninitializedShape: shape)
        let x = pointer, out = y.pointer
        parallelFor(rowCount, grain: Swift.max(1, 4096 / Swift.max(n, 1))) { range in
            for r in range {
                let src = x + r * n, dst = out + r * n
                let m = Vector(repeating: VectorMath.max(n, src))
                VectorMath.map(n, src, dst) { VectorMath.exp($0 - m) }
                let shift = m + Foundation.log(VectorMath.sum(n, dst))
                VectorMath.map(n, src, dst) { $0 - shift }
            }
        }
        let saved = y.savedForBackward
        return y.recording([self]) { g in
            // d/dx = g − softmax(x) Σ g
            let dx = Tensor(uninitializedShape: saved.shape)
            let gp = g.pointer, yp = saved.pointer, out = dx.pointer
            parallelFor(saved.rowCount, grain: Swift.max(1, 4096 / Swift.max(n, 1))) { range in
                for r in range {
                    let total = Vector(repeating: VectorMath.sum(n, gp + r * n))
                    VectorMath.map2(n, gp + r * n, yp + r * n, out + r * n) { g, y in g - VectorMath.exp(y) * total }
                }
            }
            return [dx]
        }
    }
}

import Foundation
