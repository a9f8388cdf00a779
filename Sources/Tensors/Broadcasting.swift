/// NumPy/PyTorch broadcasting of two shapes, and the loops that walk a broadcast result.
struct BroadcastPlan {
    let shape: [Int]
    /// Element strides of each operand over `shape` (0 along broadcast axes).
    let stridesA: [Int]
    let stridesB: [Int]

    init(_ a: [Int], _ b: [Int]) {
        let rank = max(a.count, b.count)
        let paddedA = Array(repeating: 1, count: rank - a.count) + a
        let paddedB = Array(repeating: 1, count: rank - b.count) + b
        var shape: [Int] = []
        for (x, y) in zip(paddedA, paddedB) {
            precondition(x == y || x == 1 || y == 1, "shapes \(a) and \(b) do not broadcast")
            shape.append(x == 1 ? y : x)
        }
        self.shape = shape
        stridesA = BroadcastPlan.strides(of: paddedA, over: shape)
        stridesB = BroadcastPlan.strides(of: paddedB, over: shape)
    }

    static func strides(of shape: [Int], over target: [Int]) -> [Int] {
        var strides = Array(repeating: 0, count: shape.count)
        var step = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = shape[axis] == 1 && target[axis] != 1 ? 0 : step
            step *= shape[axis]
        }
        return strides
    }

    /// Calls `body(offsetA, offsetB, offsetOut, innerCount, innerStrideA, innerStrideB)` for each run along the
    /// last axis, in parallel over runs.
    func forEachRun(_ body: (Int, Int, Int, Int, Int, Int) -> Void) {
        let inner = shape.last ?? 1
        let outerShape = Array(shape.dropLast())
        let runs = outerShape.reduce(1, *)
        let innerA = stridesA.last ?? 0, innerB = stridesB.last ?? 0
        parallelFor(runs, grain: max(1, 16_384 / max(inner, 1))) { range in
            for run in range {
                var rest = run, offA = 0, offB = 0
                for axis in stride(from: outerShape.count - 1, through: 0, by: -1) {
                    let index = rest % outerShape[axis]
                    rest /= outerShape[axis]
                    offA += index * stridesA[axis]
                    offB += index * stridesB[axis]
                }
                body(offA, offB, run * inner, inner, innerA, innerB)
            }
        }
    }
}

extension Tensor {
    /// Sums this gradient down to `target`'s shape, undoing a broadcast.
    func reduced(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let padded = Array(repeating: 1, count: rank - target.count) + target
        var result = self
        for axis in 0..<rank where padded[axis] == 1 && shape[axis] != 1 {
            result = result.sum(axis: axis, keepingDimension: true)
        }
        return result.reshaped(target)
    }
}
