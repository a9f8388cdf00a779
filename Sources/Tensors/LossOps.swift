/// The loss building blocks: cross-entropy, KL divergence, mean squared error and cosine similarity.
extension Tensor {
    /// Mean cross-entropy of `[n, classes]` logits against class indices; rows whose target is `ignoreIndex`
    /// do not count (PyTorch's `ignore_index`, -100 by default).
    public func crossEntropy(targets: [Int32], ignoreIndex: Int32 = -100) -> Tensor {
        let classes = lastDimension
        precondition(rowCount == targets.count, "crossEntropy: \(shape) logits for \(targets.count) targets")
        let logProbs = logSoftmax()
        let counted = targets.filter { $0 != ignoreIndex }.count
        // loss = −(1/count) Σ_rows logp[row, target]: a weighted pick of one column per row.
        let weights = Tensor(shape: logProbs.shape, repeating: 0)
        for (row, target) in targets.enumerated() where target != ignoreIndex {
            precondition(target >= 0 && Int(target) < classes, "target \(target) outside 0..<\(classes)")
            weights.pointer[row * classes + Int(target)] = -1 / Float(counted)
        }
        return (logProbs * weights).sum()
    }

    /// KL(target ‖ self) summed over the last axis, for `self` = log-probabilities and `target` = probabilities
    /// (PyTorch's `kl_div(input, target, reduction="none").sum(-1)`); terms with target 0 count as 0.
    public func klDivergence(targetProbabilities target: Tensor) -> Tensor {
        precondition(shape == target.shape, "klDivergence: \(shape) vs \(target.shape)")
        let targetLog = target.map { t in VectorMath.logClamped(t) }
        return (target * (targetLog - self)).sum(axis: -1)
    }

    /// T² · KL(softmax(teacher/T) ‖ softmax(self/T)) per row of `[rows, classes]` logits, as a `[rows]` tensor
    /// (Hinton's soft-target term; DistilBERT's L_ce over the vocabulary). Fused: it keeps only the two softened
    /// distributions for the backward pass, where the unfused ops keep five `[rows, classes]` tensors, which for a
    /// vocabulary of 30,522 and thousands of tokens is gigabytes. The gradient, T · (softmax(self/T) −
    /// softmax(teacher/T)) · g per row, goes to `self` alone: the teacher is a fixed target.
    public func softTargetKL(teacher: Tensor, temperature t: Float) -> Tensor {
        precondition(shape == teacher.shape, "softTargetKL: \(shape) vs \(teacher.shape)")
        let n = lastDimension, rows = rowCount
        let studentProbabilities = Tensor(uninitializedShape: shape), teacherProbabilities = Tensor(uninitializedShape: shape)
        let result = Tensor(uninitializedShape: [rows])
        let s = pointer, z = teacher.pointer, q = studentProbabilities.pointer, p = teacherProbabilities.pointer
        let out = result.pointer, kernels = VectorKernels.best, inverse = Vector(repeating: 1 / t)
        parallelFor(rows, grain: 1) { range in
            // One row's scaled logits and log-probabilities at a time.
            var scratch = [Float](repeating: 0, count: 3 * n)
            scratch.withUnsafeMutableBufferPointer { buffer in
                guard let scaled = buffer.baseAddress else { return }
                let logQ = scaled + n, logP = scaled + 2 * n
                for row in range {
                    let offset = row * n
                    VectorMath.map(n, s + offset, scaled) { $0 * inverse }
                    kernels.softmaxRows(1, n, scaled, mask: nil, firstRow: 0, rowsPerMask: 1, q + offset)
                    kernels.logSoftmaxRows(1, n, scaled, logQ)
                    VectorMath.map(n, z + offset, scaled) { $0 * inverse }
                    kernels.softmaxRows(1, n, scaled, mask: nil, firstRow: 0, rowsPerMask: 1, p + offset)
                    kernels.logSoftmaxRows(1, n, scaled, logP)
                    // Σ p (log p − log q), with p log p = 0 where p underflows to 0 (log p stays finite).
                    out[row] = t * t * (VectorMath.dot(n, p + offset, logP) - VectorMath.dot(n, p + offset, logQ))
                }
            }
        }
        let (studentSaved, teacherSaved) = (studentProbabilities.savedForBackward, teacherProbabilities.savedForBackward)
        return result.recording([self]) { g in
            let dx = Tensor(uninitializedShape: studentSaved.shape)
            let gp = g.pointer, qs = studentSaved.pointer, pt = teacherSaved.pointer, d = dx.pointer
            parallelFor(rows, grain: Swift.max(1, 4096 / Swift.max(n, 1))) { range in
                for row in range {
                    let offset = row * n, scale = Vector(repeating: t * gp[row])
                    VectorMath.map2(n, qs + offset, pt + offset, d + offset) { ($0 - $1) * scale }
                }
            }
            return [dx]
        }
    }

    /// Mean of (self − other)² over all elements.
    public func meanSquaredError(_ other: Tensor) -> Tensor {
        let difference = self - other
        return (difference * difference).mean()
    }

    /// Cosine similarity along the last axis: a·b / (max(‖a‖, eps) · max(‖b‖, eps)).
    public func cosineSimilarity(_ other: Tensor, eps: Float = 1e-8) -> Tensor {
        precondition(shape == other.shape, "cosineSimilarity: \(shape) vs \(other.shape)")
        let n = lastDimension, rows = rowCount
        let result = Tensor(uninitializedShape: Array(shape.dropLast()))
        var norms = [Float](repeating: 0, count: 2 * rows)
        let a = pointer, b = other.pointer, out = result.pointer
        for r in 0..<rows {
            let na = Swift.max(VectorMath.dot(n, a + r * n, a + r * n).squareRoot(), eps)
            let nb = Swift.max(VectorMath.dot(n, b + r * n, b + r * n).squareRoot(), eps)
            norms[2 * r] = na
            norms[2 * r + 1] = nb
            out[r] = VectorMath.dot(n, a + r * n, b + r * n) / (na * nb)
        }
        let x = self
        return result.recording([x, other]) { g in
            // d cos / d a = b / (‖a‖‖b‖) − cos · a / ‖a‖² (and symmetrically for b).
            func gradient(_ u: Tensor, _ v: Tensor, own: Int) -> Tensor {
                let grad = Tensor(uninitializedShape: u.shape)
                for r in 0..<rows {
                    let nu = norms[2 * r + own], nv = norms[2 * r + 1 - own]
                    let c = Vector(repeating: out[r]), scale = Vector(repeating: g.pointer[r])
                    let inverseProduct = Vector(repeating: 1 / (nu * nv)), inverseSquare = Vector(repeating: 1 / (nu * nu))
                    VectorMath.map2(n, v.pointer + r * n, u.pointer + r * n, grad.pointer + r * n) { v, u in
                        scale * (v * inverseProduct - c * u * inverseSquare)
                    }
                }
                return grad
            }
            return [x.requiresGrad ? gradient(x, other, own: 0) : nil,
                    other.requiresGrad ? gradient(other, x, own: 1) : nil]
        }
    }
}

extension VectorMath {
    /// log(t) for probabilities, with log(0) taken as 0 (it is always multiplied by t = 0).
    @inline(__always)
    static func logClamped(_ t: Vector) -> Vector {
        var result = Vector(repeating: 0)
        for i in 0..<16 where t[i] > 0 { result[i] = Foundation.log(t[i]) }
        return result
    }
}

import Foundation
