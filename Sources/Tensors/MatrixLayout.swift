import CDNNL

/// How a matmul operand lies in memory: dimensions and element strides (batch axes first), so transposes and
/// attention heads are read in place instead of being copied.
public struct MatrixLayout: Hashable, Sendable, CustomStringConvertible {
    public var dims: [Int]
    public var strides: [Int]
    public var type: ElementType

    /// A layout of `dims` with `strides` (as many as `dims`; a matmul takes ranks 2 to 4).
    public init(dims: [Int], strides: [Int], type: ElementType = .f32) {
        self.dims = dims
        self.strides = strides
        self.type = type
    }

    /// A dense row-major layout of `dims`.
    public static func rowMajor(_ dims: [Int], type: ElementType = .f32) -> MatrixLayout {
        var strides = Array(repeating: 1, count: dims.count)
        for axis in stride(from: dims.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * dims[axis + 1] }
        return MatrixLayout(dims: dims, strides: strides, type: type)
    }

    /// The same memory read as the transpose of the last two axes.
    public var transposed: MatrixLayout {
        var layout = self
        layout.dims.swapAt(dims.count - 1, dims.count - 2)
        layout.strides.swapAt(dims.count - 1, dims.count - 2)
        return layout
    }

    public var description: String { "\(type) \(dims) strides \(strides)" }

    /// The oneDNN memory descriptor of this layout, for `operation` (named in the error).
    func descriptor(of operation: @autoclosure () -> String) throws(OneDNNError) -> dnnl_memory_desc_t {
        guard dims.count == strides.count, (1...Int(DNNL_MAX_NDIMS)).contains(dims.count) else {
            throw .invalidOperands(operation: operation(), problem: "layout \(self) needs one stride per dimension and 1 to \(DNNL_MAX_NDIMS) dimensions")
        }
        var desc = dnnl_memory_desc_t()
        var dnnlDims = dnnlArray(dims), dnnlStrides = dnnlArray(strides)
        let status = withUnsafePointer(to: &dnnlDims) { d in
            withUnsafePointer(to: &dnnlStrides) { s in
                d.withMemoryRebound(to: dnnl_dim_t.self, capacity: Int(DNNL_MAX_NDIMS)) { d in
                    s.withMemoryRebound(to: dnnl_dim_t.self, capacity: Int(DNNL_MAX_NDIMS)) { s in
                        dnnl_memory_desc_init_by_strides(&desc, Int32(dims.count), d, type.dnnl, s)
                    }
                }
            }
        }
        try OneDNNError.check(status, "memory descriptor of \(self)", of: operation())
        return desc
    }
}

private func dnnlArray(_ values: [Int]) -> dnnl_dims_t {
    var result: dnnl_dims_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    withUnsafeMutableBytes(of: &result) { raw in
        let slots = raw.bindMemory(to: dnnl_dim_t.self)
        for (i, v) in values.enumerated() { slots[i] = dnnl_dim_t(v) }
    }
    return result
}
