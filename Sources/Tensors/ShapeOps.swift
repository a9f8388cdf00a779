/// Reshaping, axis permutation, concatenation, splitting, slicing and row gathering.
extension Tensor {
    /// The same elements under another shape (a view; one axis may be -1).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var newShape = newShape
        if let hole = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != hole }.reduce(1) { $0 * $1.element }
            newShape[hole] = known == 0 ? 0 : count / known
        }
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        if newShape == shape { return self }
        let inputShape = shape
        return Tensor(shape: newShape, storage: storage, offset: offset)
            .recording([self]) { g in [g.reshaped(inputShape)] }
    }

    /// Reorders the axes: result axis `i` is input axis `order[i]` (a copy).
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "bad permutation \(order) for shape \(shape)")
        if order == Array(0..<rank) { return self }
        let newShape = order.map { shape[$0] }
        let result = Tensor(uninitializedShape: newShape)
        var inputStrides = Array(repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { inputStrides[axis] = inputStrides[axis + 1] * shape[axis + 1] }
        let strides = order.map { inputStrides[$0] }
        let inner = newShape.last ?? 1, innerStride = strides.last ?? 1
        let outerShape = Array(newShape.dropLast())
        let x = pointer, y = result.pointer
        parallelFor(outerShape.reduce(1, *), grain: Swift.max(1, 8192 / Swift.max(inner, 1))) { range in
            for run in range {
                var rest = run, source = 0
                for axis in stride(from: outerShape.count - 1, through: 0, by: -1) {
                    source += (rest % outerShape[axis]) * strides[axis]
                    rest /= outerShape[axis]
                }
                let dst = y + run * inner
                if innerStride == 1 {
                    dst.update(from: x + source, count: inner)
                } else {
                    for i in 0..<inner { dst[i] = x[source + i * innerStride] }
                }
            }
        }
        var inverse = Array(repeating: 0, count: rank)
        for (i, axis) in order.enumerated() { inverse[axis] = i }
        return result.recording([self]) { g in [g.permuted(inverse)] }
    }

    /// Swaps two axes.
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(a < 0 ? a + rank : a, b < 0 ? b + rank : b)
        return permuted(order)
    }

    /// Elements `range` along `axis` (a copy unless the axis is the first).
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = axis < 0 ? axis + rank : axis
        let (outer, size, inner) = around(axis: axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= size, "slice \(range) of axis \(axis) in \(shape)")
        var newShape = shape
        newShape[axis] = range.count
        let result: Tensor
        if outer == 1 {
            result = Tensor(shape: newShape, storage: storage, offset: offset + range.lowerBound * inner)
        } else {
            result = Tensor(uninitializedShape: newShape)
            let x = pointer, y = result.pointer, block = range.count * inner
            parallelFor(outer, grain: Swift.max(1, 16_384 / Swift.max(block, 1))) { r in
                for o in r { (y + o * block).update(from: x + (o * size + range.lowerBound) * inner, count: block) }
            }
        }
        let inputShape = shape
        return result.recording([self]) { g in
            let grad = Tensor(shape: inputShape, repeating: 0)
            let block = range.count * inner
            for o in 0..<outer {
                (grad.pointer + (o * size + range.lowerBound) * inner).update(from: g.pointer + o * block, count: block)
            }
            return [grad]
        }
    }

    /// Joins tensors along `axis`; all other axes must agree.
    public static func concat(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "concat of nothing")
        let rank = parts[0].rank
        let axis = axis < 0 ? axis + rank : axis
        var shape = parts[0].shape
        shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        for part in parts {
            var expected = part.shape
            expected[axis] = shape[axis]
            precondition(expected == shape, "concat: \(part.shape) does not fit \(shape) along axis \(axis)")
        }
        let result = Tensor(uninitializedShape: shape)
        let (outer, total, inner) = result.around(axis: axis)
        var start = 0
        var starts: [Int] = []
        for part in parts {
            let block = part.shape[axis] * inner
            for o in 0..<outer {
                (result.pointer + (o * total + start) * inner).update(from: part.pointer + o * block, count: block)
            }
            starts.append(start)
            start += part.shape[axis]
        }
        return result.recording(parts) { g in
            zip(parts, starts).map { part, start in
                part.requiresGrad ? g.slice(axis: axis, start..<(start + part.shape[axis])) : nil
            }
        }
    }

    /// Cuts along `axis` into pieces of the given sizes.
    public func split(axis: Int, sizes: [Int]) -> [Tensor] {
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(axis: axis, start..<(start + size))
        }
    }

    /// Rows of a `[n, d...]` tensor picked by index (an embedding lookup); the backward pass scatter-adds.
    public func gatherRows(_ indices: [Int32]) -> Tensor {
        let rowSize = count / Swift.max(shape[0], 1)
        let rows = shape[0]
        let result = Tensor(uninitializedShape: [indices.count] + shape.dropFirst())
        let x = pointer, y = result.pointer
        indices.withUnsafeBufferPointer { ids in
            let ids = ids
            parallelFor(ids.count, grain: Swift.max(1, 16_384 / Swift.max(rowSize, 1))) { range in
                for i in range {
                    let row = Int(ids[i])
                    precondition(row >= 0 && row < rows, "index \(row) out of range 0..<\(rows)")
                    (y + i * rowSize).update(from: x + row * rowSize, count: rowSize)
                }
            }
        }
        let inputShape = shape
        return result.recording([self]) { g in
            let grad = Tensor(shape: inputShape, repeating: 0)
            grad.scatterAddRows(g, at: indices)
            return [grad]
        }
    }

    /// Adds row `i` of `source` into row `indices[i]` of this tensor, in place, outside of autograd.
    public func scatterAddRows(_ source: Tensor, at indices: [Int32]) {
        let rowSize = count / Swift.max(shape[0], 1)
        precondition(source.count == indices.count * rowSize, "scatterAddRows: \(source.shape) into \(shape)")
        let x = pointer, s = source.pointer
        for (i, row) in indices.enumerated() {
            let dst = x + Int(row) * rowSize
            VectorMath.map2(rowSize, dst, s + i * rowSize, dst, +)
        }
    }
}
