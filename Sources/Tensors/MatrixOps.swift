/// Matrix products on oneDNN with autograd: batched `matmul`, `linear` (x · Wᵀ + b) and the two products
/// inside multi-head attention, which read and write heads in place through strided layouts.
extension Tensor {
    /// `self · other` over the last two axes, batched over leading axes (`other` may be 2-D and shared).
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(rank >= 2 && other.rank >= 2 && shape.last == other.shape[other.rank - 2],
                     "matmul: \(shape) · \(other.shape)")
        let m = shape[rank - 2], k = shape[rank - 1], n = other.shape[other.rank - 1]
        let batch = shape.dropLast(2).reduce(1, *)
        let otherBatch = other.shape.dropLast(2).reduce(1, *)
        precondition(otherBatch == 1 || otherBatch == batch, "matmul batch: \(shape) · \(other.shape)")
        let result = Tensor(uninitializedShape: Array(shape.dropLast(2)) + [m, n])
        let aLayout = MatrixLayout.rowMajor([batch, m, k])
        let bLayout = MatrixLayout.rowMajor([otherBatch, k, n])
        let cLayout = MatrixLayout.rowMajor([batch, m, n])
        OneDNN.shared.validatedMatmul(pointer, aLayout, other.pointer, bLayout, result.pointer, cLayout)
        let a = self
        return result.recording([a, other]) { g in
            var gradA: Tensor?, gradB: Tensor?
            if a.requiresGrad {
                gradA = Tensor.filled(a.shape) {
                    OneDNN.shared.validatedMatmul(g.pointer, cLayout, other.pointer, bLayout.transposed, $0, aLayout)
                }
            }
            if other.requiresGrad {
                let full = Tensor(uninitializedShape: [batch, k, n])
                OneDNN.shared.validatedMatmul(a.pointer, aLayout.transposed, g.pointer, cLayout, full.pointer, .rowMajor([batch, k, n]))
                gradB = (otherBatch == 1 ? full.sum(axis: 0) : full).reshaped(other.shape)
            }
            return [gradA, gradB]
        }
    }

    /// `self · weightᵀ + bias` with PyTorch's `[out, in]` weight, over the last axis of `self`.
    /// With `fusedGELU` the activation runs inside the matmul (inference only: no gradient is recorded).
    ///
    /// `precision` is that of the products, forward and backward: in bf16, `self`, `weight` and the incoming
    /// gradient are rounded to bf16 once per call (the rounded input and weight are kept for the backward pass)
    /// and multiplied into f32; the bias and its gradient stay f32.
    public func linear(weight: Tensor, bias: Tensor?, fusedGELU: Bool = false, precision: MatmulPrecision = .f32) -> Tensor {
        let inFeatures = lastDimension, outFeatures = weight.shape[0]
        precondition(weight.shape == [outFeatures, inFeatures], "linear: input \(shape), weight \(weight.shape)")
        precondition(bias.map { $0.count == outFeatures } ?? true, "linear: bias of \(bias?.count ?? 0) for \(outFeatures) outputs")
        let rows = rowCount
        let result = Tensor(uninitializedShape: Array(shape.dropLast()) + [outFeatures])
        let operandType = precision.operandType
        let (xOperand, wOperand) = (matmulOperand(precision), weight.matmulOperand(precision))
        let xLayout = MatrixLayout.rowMajor([rows, inFeatures], type: operandType)
        let wLayout = MatrixLayout.rowMajor([outFeatures, inFeatures], type: operandType)
        let yLayout = MatrixLayout.rowMajor([rows, outFeatures])
        OneDNN.shared.validatedMatmul(xOperand.rawPointer, xLayout, wOperand.rawPointer, wLayout.transposed, result.pointer, yLayout,
                                      bias: bias.map { UnsafeRawPointer($0.pointer) },
                                      epilogue: MatmulEpilogue(bias: bias != nil, gelu: fusedGELU))
        if fusedGELU {
            precondition(![self, weight, bias].contains { $0?.tracksGrad == true }, "fused GELU is for inference only")
            return result
        }
        let x = self
        return result.recording([x, weight] + (bias.map { [$0] } ?? [])) { g in
            var grads: [Tensor?] = [nil, nil]
            let gOperand = g.matmulOperand(precision)
            let gLayout = MatrixLayout.rowMajor([rows, outFeatures], type: operandType)
            if x.requiresGrad {
                let gradX = Tensor(uninitializedShape: x.shape)
                OneDNN.shared.validatedMatmul(gOperand.rawPointer, gLayout, wOperand.rawPointer, wLayout, gradX.pointer, .rowMajor([rows, inFeatures]))
                grads[0] = gradX
            }
            if weight.requiresGrad {
                let gradW = Tensor(uninitializedShape: weight.shape)
                OneDNN.shared.validatedMatmul(gOperand.rawPointer, gLayout.transposed, xOperand.rawPointer, xLayout, gradW.pointer,
                                              .rowMajor([outFeatures, inFeatures]))
                grads[1] = gradW
            }
            if let bias { grads.append(bias.requiresGrad ? g.reshaped([rows, outFeatures]).sum(axis: 0) : nil) }
            return grads
        }
    }

    /// Attention scores `scale · Q Kᵀ` per head: `q`, `k` are `[batch, seq, hidden]` with heads side by side
    /// along `hidden`; the result is `[batch, heads, seq, seq]`. `precision` is that of the products, forward and
    /// backward, as for `linear` (the operands rounded once per call, the sums f32).
    public static func attentionScores(query q: Tensor, key k: Tensor, heads: Int, scale: Float,
                                       precision: MatmulPrecision = .f32) -> Tensor {
        let (batch, seq, hidden) = (q.shape[0], q.shape[1], q.shape[2])
        precondition(k.shape == q.shape && hidden % heads == 0, "attention scores: \(q.shape), \(k.shape), \(heads) heads")
        let type = precision.operandType
        let headsLayout = MatrixLayout.headsOf(batch: batch, seq: seq, hidden: hidden, heads: heads, type: type)
        let scoresLayout = MatrixLayout.rowMajor([batch, heads, seq, seq], type: type)
        let (qOperand, kOperand) = (q.matmulOperand(precision), k.matmulOperand(precision))
        let scaled = MatmulEpilogue(outputScales: .constant(scale))
        let result = Tensor(uninitializedShape: [batch, heads, seq, seq])
        OneDNN.shared.validatedMatmul(qOperand.rawPointer, headsLayout, kOperand.rawPointer, headsLayout.transposed,
                                      result.pointer, scoresLayout.as(.f32), epilogue: scaled)
        return result.recording([q, k]) { g in
            let gOperand = g.matmulOperand(precision)
            let gradQ = q.requiresGrad ? Tensor.filled(q.shape) {
                OneDNN.shared.validatedMatmul(gOperand.rawPointer, scoresLayout, kOperand.rawPointer, headsLayout, $0,
                                              headsLayout.as(.f32), epilogue: scaled)
            } : nil
            let gradK = k.requiresGrad ? Tensor.filled(k.shape) {
                OneDNN.shared.validatedMatmul(gOperand.rawPointer, scoresLayout.transposed, qOperand.rawPointer, headsLayout, $0,
                                              headsLayout.as(.f32), epilogue: scaled)
            } : nil
            return [gradQ, gradK]
        }
    }

    /// Attention output `P V` per head: `probabilities` is `[batch, heads, seq, seq]`, `v` is `[batch, seq, hidden]`;
    /// the result is `[batch, seq, hidden]` with the heads concatenated (no permute needed). `precision` as for
    /// `attentionScores`.
    public static func attentionContext(probabilities p: Tensor, value v: Tensor, heads: Int,
                                        precision: MatmulPrecision = .f32) -> Tensor {
        let (batch, seq, hidden) = (v.shape[0], v.shape[1], v.shape[2])
        precondition(p.shape == [batch, heads, seq, seq], "attention context: \(p.shape) with value \(v.shape)")
        let type = precision.operandType
        let headsLayout = MatrixLayout.headsOf(batch: batch, seq: seq, hidden: hidden, heads: heads, type: type)
        let probsLayout = MatrixLayout.rowMajor([batch, heads, seq, seq], type: type)
        let (pOperand, vOperand) = (p.matmulOperand(precision), v.matmulOperand(precision))
        let result = Tensor(uninitializedShape: v.shape)
        OneDNN.shared.validatedMatmul(pOperand.rawPointer, probsLayout, vOperand.rawPointer, headsLayout, result.pointer,
                                      headsLayout.as(.f32))
        return result.recording([p, v]) { g in
            let gOperand = g.matmulOperand(precision)
            let gradP = p.requiresGrad ? Tensor.filled(p.shape) {
                OneDNN.shared.validatedMatmul(gOperand.rawPointer, headsLayout, vOperand.rawPointer, headsLayout.transposed, $0,
                                              probsLayout.as(.f32))
            } : nil
            let gradV = v.requiresGrad ? Tensor.filled(v.shape) {
                OneDNN.shared.validatedMatmul(pOperand.rawPointer, probsLayout.transposed, gOperand.rawPointer, headsLayout, $0,
                                              headsLayout.as(.f32))
            } : nil
            return [gradP, gradV]
        }
    }
}

extension Tensor {
    /// A new tensor of `shape` whose every element `body` writes through the pointer it is given.
    static func filled(_ shape: [Int], _ body: (UnsafeMutablePointer<Float>) -> Void) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        body(result.pointer)
        return result
    }
}

extension OneDNN {
    /// An f32 product inside a tensor op. The op has validated the shapes, so oneDNN failing here is not about
    /// the input but out of memory or a bug in the op: it stops the program with oneDNN's description instead of
    /// making every tensor op throw.
    func validatedMatmul(
        _ a: UnsafeRawPointer, _ aLayout: MatrixLayout,
        _ b: UnsafeRawPointer, _ bLayout: MatrixLayout,
        _ c: UnsafeMutableRawPointer, _ cLayout: MatrixLayout,
        bias: UnsafeRawPointer? = nil, epilogue: MatmulEpilogue = MatmulEpilogue()
    ) {
        do {
            try matmul(a, aLayout, b, bLayout, c, cLayout, bias: bias, epilogue: epilogue)
        } catch {
            preconditionFailure("internal error in a tensor op: \(error)")
        }
    }
}

extension MatrixLayout {
    /// `[batch, seq, hidden]` memory read as `[batch, heads, seq, headSize]`.
    static func headsOf(batch: Int, seq: Int, hidden: Int, heads: Int, type: ElementType = .f32) -> MatrixLayout {
        MatrixLayout(dims: [batch, heads, seq, hidden / heads], strides: [seq * hidden, hidden / heads, hidden, 1], type: type)
    }

    /// The same dimensions and strides holding elements of `type`.
    func `as`(_ type: ElementType) -> MatrixLayout {
        var layout = self
        layout.type = type
        return layout
    }
}
