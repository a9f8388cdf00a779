import CDNNL
import Foundation
import Foundation

/// How a matmul operand lies in memory: dimensions and element strides (any rank from 2 to 4, batch axes first),
/// so transposes and attention heads are read in place instead of being copied.
public struct MatrixLayout: Hashable, Sendable {
    public var dims: [Int]
    public var strides: [Int]
    public var type: ElementType

    public init(dims: [Int], strides: [Int], type: ElementType = .f32) {
        precondition(dims.count == strides.count && (2...4).contains(dims.count), "matrix layout \(dims) \(strides)")
        self.dims = dims
        self.strides = strides
        self.type = type
    }

    /// A dense row-major `[batch..., rows, columns]` layout.
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

    func descriptor() -> dnnl_memory_desc_t {
        var desc = dnnl_memory_desc_t()
        var dnnlDims = dnnlArray(dims), dnnlStrides = dnnlArray(strides)
        let status = withUnsafePointer(to: &dnnlDims) { d in
            withUnsafePointer(to: &dnnlStrides) { s in
                d.withMemoryRebound(to: dnnl_dim_t.self, capacity: 12) { d in
                    s.withMemoryRebound(to: dnnl_dim_t.self, capacity: 12) { s in
                        dnnl_memory_desc_init_by_strides(&desc, Int32(dims.count), d, type.dnnl, s)
                    }
                }
            }
        }
        OneDNN.check(status, "memory descriptor \(dims) strides \(strides)")
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

/// What a matmul primitive computes besides the product, fused into the same kernel.
public struct MatmulEpilogue: Hashable, Sendable {
    /// Multiplies the product (e.g. 1/sqrt(d) in attention scores).
    public var scale: Float = 1
    /// Adds a bias vector along the output columns.
    public var bias = false
    /// Applies GELU (erf form) after the bias.
    public var gelu = false
    /// Adds the product into the existing destination instead of overwriting it.
    public var accumulate = false

    public init(scale: Float = 1, bias: Bool = false, gelu: Bool = false, accumulate: Bool = false) {
        self.scale = scale
        self.bias = bias
        self.gelu = gelu
        self.accumulate = accumulate
    }
}

/// The oneDNN CPU engine and a cache of matmul primitives, one per shape, layout and epilogue.
///
/// Calls are serialised by a lock: a cached primitive carries its operands' data handles, so two threads running
/// the same shape at once (tests run in parallel) would otherwise overwrite each other's pointers.
public final class OneDNN: @unchecked Sendable {
    public static let shared = OneDNN()

    private var engine: dnnl_engine_t?
    private var stream: dnnl_stream_t?
    private var cache: [Key: Primitive] = [:]
    private let lock = NSLock()

    private struct Key: Hashable {
        let a: MatrixLayout, b: MatrixLayout, c: MatrixLayout
        let epilogue: MatmulEpilogue
    }

    /// A created primitive with memory objects whose data handles are set per call.
    private final class Primitive {
        let primitive: dnnl_primitive_t?
        let a, b, c, bias: dnnl_memory_t?

        init(primitive: dnnl_primitive_t?, a: dnnl_memory_t?, b: dnnl_memory_t?, c: dnnl_memory_t?, bias: dnnl_memory_t?) {
            self.primitive = primitive
            self.a = a
            self.b = b
            self.c = c
            self.bias = bias
        }
    }

    private init() {
        OneDNN.check(dnnl_engine_create(&engine, dnnl_cpu, 0), "engine")
        OneDNN.check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "stream")
    }

    static func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
        precondition(status == dnnl_success, "oneDNN failed (status \(status.rawValue)) creating/running \(what())")
    }

    /// Number of primitives created so far (each shape is created once and reused).
    public var cachedPrimitiveCount: Int { lock.withLock { cache.count } }

    /// `c = epilogue(a · b)`, batched over leading axes (an operand with batch size 1 is broadcast).
    public func matmul(
        _ a: UnsafeRawPointer, _ aLayout: MatrixLayout,
        _ b: UnsafeRawPointer, _ bLayout: MatrixLayout,
        _ c: UnsafeMutableRawPointer, _ cLayout: MatrixLayout,
        bias: UnsafeRawPointer? = nil, epilogue: MatmulEpilogue = MatmulEpilogue()
    ) {
        precondition(epilogue.bias == (bias != nil), "matmul bias pointer and epilogue disagree")
        lock.lock()
        defer { lock.unlock() }
        let key = Key(a: aLayout, b: bLayout, c: cLayout, epilogue: epilogue)
        let primitive = cache[key] ?? makePrimitive(key)
        dnnl_memory_set_data_handle_v2(primitive.a, UnsafeMutableRawPointer(mutating: a), stream)
        dnnl_memory_set_data_handle_v2(primitive.b, UnsafeMutableRawPointer(mutating: b), stream)
        dnnl_memory_set_data_handle_v2(primitive.c, c, stream)
        var args = [
            dnnl_exec_arg_t(arg: DNNL_ARG_SRC, memory: primitive.a),
            dnnl_exec_arg_t(arg: DNNL_ARG_WEIGHTS, memory: primitive.b),
            dnnl_exec_arg_t(arg: DNNL_ARG_DST, memory: primitive.c),
        ]
        if let bias {
            dnnl_memory_set_data_handle_v2(primitive.bias, UnsafeMutableRawPointer(mutating: bias), stream)
            args.append(dnnl_exec_arg_t(arg: DNNL_ARG_BIAS, memory: primitive.bias))
        }
        OneDNN.check(dnnl_primitive_execute(primitive.primitive, stream, Int32(args.count), args), "matmul \(key)")
        OneDNN.check(dnnl_stream_wait(stream), "matmul wait")
    }

    private func makePrimitive(_ key: Key) -> Primitive {
        var aDesc = key.a.descriptor(), bDesc = key.b.descriptor(), cDesc = key.c.descriptor()
        let n = key.c.dims.last ?? 1
        var biasDesc = MatrixLayout.rowMajor(Array(repeating: 1, count: key.c.dims.count - 1) + [n]).descriptor()
        var opDesc = dnnl_matmul_desc_t()
        let status = key.epilogue.bias
            ? dnnl_matmul_desc_init(&opDesc, &aDesc, &bDesc, &biasDesc, &cDesc)
            : dnnl_matmul_desc_init(&opDesc, &aDesc, &bDesc, nil, &cDesc)
        OneDNN.check(status, "matmul descriptor \(key)")

        var attr: dnnl_primitive_attr_t?
        OneDNN.check(dnnl_primitive_attr_create(&attr), "attributes")
        defer { dnnl_primitive_attr_destroy(attr) }
        if key.epilogue.scale != 1 {
            var scale = key.epilogue.scale
            OneDNN.check(dnnl_primitive_attr_set_output_scales(attr, 1, 0, &scale), "output scale")
        }
        if key.epilogue.accumulate || key.epilogue.gelu {
            var postOps: dnnl_post_ops_t?
            OneDNN.check(dnnl_post_ops_create(&postOps), "post-ops")
            defer { dnnl_post_ops_destroy(postOps) }
            if key.epilogue.accumulate { OneDNN.check(dnnl_post_ops_append_sum(postOps, 1), "sum post-op") }
            if key.epilogue.gelu {
                OneDNN.check(dnnl_post_ops_append_eltwise(postOps, 1, dnnl_eltwise_gelu_erf, 0, 0), "gelu post-op")
            }
            OneDNN.check(dnnl_primitive_attr_set_post_ops(attr, postOps), "set post-ops")
        }

        var descriptor: dnnl_primitive_desc_t?
        OneDNN.check(withUnsafePointer(to: &opDesc) { dnnl_primitive_desc_create(&descriptor, UnsafeRawPointer($0), attr, engine, nil) },
                     "matmul primitive descriptor \(key)")
        defer { dnnl_primitive_desc_destroy(descriptor) }
        var primitive: dnnl_primitive_t?
        OneDNN.check(dnnl_primitive_create(&primitive, descriptor), "matmul primitive \(key)")

        func memory(_ desc: inout dnnl_memory_desc_t) -> dnnl_memory_t? {
            var memory: dnnl_memory_t?
            OneDNN.check(dnnl_memory_create(&memory, &desc, engine, nil), "memory object")
            return memory
        }
        let result = Primitive(primitive: primitive, a: memory(&aDesc), b: memory(&bDesc), c: memory(&cDesc),
                               bias: key.epilogue.bias ? memory(&biasDesc) : nil)
        cache[key] = result
        return result
    }
}
