/// Sums, means and maxima over an axis or over everything.
extension Tensor {
    /// Splits the shape around `axis` into (outer, size, inner) element counts.
    func around(axis: Int) -> (outer: Int, size: Int, inner: Int) {
        precondition(axis >= 0 && axis < rank, "axis \(axis) out of range for shape \(shape)")
        return (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// Sum of all elements, as a scalar.
    public func sum() -> Tensor {
        let x = pointer
        let chunks = Swift.max(1, Swift.min(ParallelConfig.workers, count / (1 << 16)))
        var partial = [Float](repeating: 0, count: chunks)
        let per = (count + chunks - 1) / chunks
        let n = count
        partial.withUnsafeMutableBufferPointer { out in
            let out = out
            parallelFor(chunks, grain: 1) { range in
                for c in range {
                    let start = c * per
                    out[c] = VectorMath.sum(Swift.max(0, Swift.min(per, n - start)), x + start)
                }
            }
        }
        let shape = self.shape
        return Tensor(scalar: partial.reduce(0, +)).recording([self]) { g in
            [Tensor(shape: shape, repeating: g.item)]
        }
    }

    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// Sum along `axis`; the axis is kept with size 1 when `keepingDimension`.
    public func sum(axis: Int, keepingDimension: Bool = false) -> Tensor {
        let axis = axis < 0 ? axis + rank : axis
        let (outer, size, inner) = around(axis: axis)
        var outShape = shape
        outShape[axis] = 1
        let result = Tensor(shape: outShape, repeating: 0)
        let x = pointer, y = result.pointer
        if inner == 1 {
            parallelFor(outer, grain: Swift.max(1, 8192 / Swift.max(size, 1))) { range in
                for o in range { y[o] = VectorMath.sum(size, x + o * size) }
            }
        } else {
            parallelFor(outer, grain: 1) { range in
                for o in range {
                    let dst = y + o * inner
                    for s in 0..<size {
                        let src = x + (o * size + s) * inner
                        VectorMath.map2(inner, dst, src, dst, +)
                    }
                }
            }
        }
        let inputShape = shape
        let out = keepingDimension ? result : result.reshaped(outShape.enumerated().filter { $0.offset != axis }.map(\.element))
        return out.recording([self]) { g in
            [Tensor(shape: inputShape, repeating: 0).broadcastMap(g.reshaped(outShape)) { _, g in g }]
        }
    }

    public func mean(axis: Int, keepingDimension: Bool = false) -> Tensor {
        let axis = axis < 0 ? axis + rank : axis
        return sum(axis: axis, keepingDimension: keepingDimension) * (1 / Float(shape[axis]))
    }

    /// Maximum along the last axis; the gradient goes to the first maximal element of each row.
    public func maxLastAxis() -> Tensor {
        let n = lastDimension, rows = rowCount
        let result = Tensor(uninitializedShape: Array(shape.dropLast()))
        var argmax = [Int](repeating: 0, count: rows)
        let x = pointer, y = result.pointer
        argmax.withUnsafeMutableBufferPointer { indices in
            let indices = indices
            parallelFor(rows, grain: Swift.max(1, 8192 / Swift.max(n, 1))) { range in
                for r in range {
                    let row = x + r * n
                    let best = VectorMath.max(n, row)
                    // A row of NaNs has no element equal to its maximum (-inf): stop at its last element, whose
                    // NaN becomes the result, rather than read and later write past the row.
                    var i = 0
                    while i < n - 1 && row[i] != best { i += 1 }
                    y[r] = row[i]
                    indices[r] = i
                }
            }
        }
        let inputShape = shape
        return result.recording([self]) { g in
            let grad = Tensor(shape: inputShape, repeating: 0)
            for r in 0..<rows { grad.pointer[r * n + argmax[r]] = g.pointer[r] }
            return [grad]
        }
    }
}
