import CDNNL

/// One kind of matmul: operand layouts and fused epilogue. It keys the primitive cache and names the operation
/// in errors.
struct MatmulProblem: Hashable, CustomStringConvertible {
    let a: MatrixLayout, b: MatrixLayout, c: MatrixLayout
    let epilogue: MatmulEpilogue

    var description: String { "matmul of a: \(a) by b: \(b) into c: \(c) (\(epilogue))" }

    /// Number of output scales passed per call (0 when they are fixed at creation).
    var runTimeScaleCount: Int {
        switch epilogue.outputScales {
        case .constant: 0
        case .perTensorAtRunTime: 1
        case .perColumnAtRunTime: c.dims.last ?? 1
        }
    }
}

/// A created oneDNN matmul primitive with the memory descriptors of its arguments.
///
/// A primitive can run on several threads at once; what a run must not share is made per call (the stream and
/// the memory objects) or handed in (the scratchpad: in oneDNN's default library mode it is shared, which ties
/// a primitive to the thread that created it).
final class MatmulPrimitive: @unchecked Sendable {
    private let primitive: dnnl_primitive_t
    private let problem: MatmulProblem
    private let a, b, c: dnnl_memory_desc_t
    private let bias, scales: dnnl_memory_desc_t?
    private let scratchpad: dnnl_memory_desc_t
    /// Size of `scratchpad` rounded to the buffer pool's size classes (0 when none is needed).
    private let scratchpadBytes: Int

    /// `weights`, when given, replaces the descriptor of `problem.b` (a blocked layout that a reorder made).
    init(_ problem: MatmulProblem, engine: dnnl_engine_t, weights: dnnl_memory_desc_t? = nil) throws(OneDNNError) {
        let operation = problem.description
        self.problem = problem
        var a = try problem.a.descriptor(of: operation)
        var b = if let weights { weights } else { try problem.b.descriptor(of: operation) }
        var c = try problem.c.descriptor(of: operation)
        let rank = problem.c.dims.count
        let bias = problem.epilogue.bias
            ? try MatrixLayout.rowMajor(Array(repeating: 1, count: rank - 1) + [problem.c.dims[rank - 1]]).descriptor(of: operation)
            : nil
        let scaleCount = problem.runTimeScaleCount
        scales = scaleCount > 0 ? try MatrixLayout.rowMajor([scaleCount]).descriptor(of: operation) : nil

        var opDesc = dnnl_matmul_desc_t()
        if var bias {
            try OneDNNError.check(dnnl_matmul_desc_init(&opDesc, &a, &b, &bias, &c), "matmul descriptor", of: operation)
        } else {
            try OneDNNError.check(dnnl_matmul_desc_init(&opDesc, &a, &b, nil, &c), "matmul descriptor", of: operation)
        }
        var attr: dnnl_primitive_attr_t?
        try OneDNNError.check(dnnl_primitive_attr_create(&attr), "attributes", of: operation)
        defer { dnnl_primitive_attr_destroy(attr) }
        try Self.configure(attr, for: problem)

        var descriptor: dnnl_primitive_desc_t?
        try OneDNNError.check(withUnsafePointer(to: &opDesc) { dnnl_primitive_desc_create(&descriptor, UnsafeRawPointer($0), attr, engine, nil) },
                              "matmul primitive descriptor", of: operation)
        defer { dnnl_primitive_desc_destroy(descriptor) }
        var primitive: dnnl_primitive_t?
        try OneDNNError.check(dnnl_primitive_create(&primitive, descriptor), "matmul primitive", of: operation)
        guard let primitive else { throw .failed(step: "matmul primitive", operation: operation, status: "no primitive returned") }
        self.primitive = primitive
        scratchpad = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0)?.pointee ?? dnnl_memory_desc_t()
        let bytes = withUnsafePointer(to: scratchpad) { dnnl_memory_desc_get_size($0) }
        scratchpadBytes = bytes > 0 ? BufferPool.roundedSize(bytes) : 0
        (self.a, self.b, self.c, self.bias) = (a, b, c, bias)
    }

    deinit { dnnl_primitive_destroy(primitive) }

    /// Output scales, post-ops (sum, GELU) and a scratchpad that the caller provides.
    private static func configure(_ attr: dnnl_primitive_attr_t?, for problem: MatmulProblem) throws(OneDNNError) {
        let operation = problem.description
        try OneDNNError.check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "scratchpad mode", of: operation)
        // oneDNN's DNNL_RUNTIME_F32_VAL, a quiet NaN with this bit pattern (the C macro does not import).
        var runTime = Float(bitPattern: 0x7fc0_00d0)
        let status = switch problem.epilogue.outputScales {
        case .constant(1): dnnl_success
        case .constant(var scale): dnnl_primitive_attr_set_output_scales(attr, 1, 0, &scale)
        case .perTensorAtRunTime: dnnl_primitive_attr_set_output_scales(attr, 1, 0, &runTime)
        case .perColumnAtRunTime: dnnl_primitive_attr_set_output_scales(attr, 1, 1 << (problem.c.dims.count - 1), &runTime)
        }
        try OneDNNError.check(status, "output scales", of: operation)
        guard problem.epilogue.accumulate || problem.epilogue.gelu else { return }
        var postOps: dnnl_post_ops_t?
        try OneDNNError.check(dnnl_post_ops_create(&postOps), "post-ops", of: operation)
        defer { dnnl_post_ops_destroy(postOps) }
        if problem.epilogue.accumulate { try OneDNNError.check(dnnl_post_ops_append_sum(postOps, 1), "sum post-op", of: operation) }
        if problem.epilogue.gelu {
            try OneDNNError.check(dnnl_post_ops_append_eltwise(postOps, 1, dnnl_eltwise_gelu_erf, 0, 0), "GELU post-op", of: operation)
        }
        try OneDNNError.check(dnnl_primitive_attr_set_post_ops(attr, postOps), "post-ops", of: operation)
    }

    /// Runs the product on the calling thread with its own stream, memory objects and scratchpad.
    func run(
        engine: dnnl_engine_t, a: UnsafeRawPointer, b: UnsafeRawPointer, c: UnsafeMutableRawPointer,
        bias: UnsafeRawPointer?, scales: UnsafeRawPointer?
    ) throws(OneDNNError) {
        var stream: dnnl_stream_t?
        try OneDNNError.check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "stream", of: self.problem.description)
        defer { dnnl_stream_destroy(stream) }
        let scratch = scratchpadBytes > 0 ? BufferPool.shared.take(bytes: scratchpadBytes) : nil
        defer { if let scratch { BufferPool.shared.give(scratch.pointer, bytes: scratch.bytes) } }

        var memories: [dnnl_memory_t?] = [], arguments: [dnnl_exec_arg_t] = []
        defer { for memory in memories { dnnl_memory_destroy(memory) } }
        func pass(_ argument: Int32, _ desc: dnnl_memory_desc_t?, _ data: UnsafeRawPointer?) throws(OneDNNError) {
            guard var desc, let data else { return }
            var memory: dnnl_memory_t?
            try OneDNNError.check(dnnl_memory_create(&memory, &desc, engine, UnsafeMutableRawPointer(mutating: data)),
                                  "memory object", of: self.problem.description)
            memories.append(memory)
            arguments.append(dnnl_exec_arg_t(arg: argument, memory: memory))
        }
        try pass(DNNL_ARG_SRC, self.a, a)
        try pass(DNNL_ARG_WEIGHTS, self.b, b)
        try pass(DNNL_ARG_DST, self.c, UnsafeRawPointer(c))
        try pass(DNNL_ARG_BIAS, self.bias, bias)
        try pass(DNNL_ARG_ATTR_OUTPUT_SCALES, self.scales, scales)
        try pass(DNNL_ARG_SCRATCHPAD, scratchpad, scratch.map { UnsafeRawPointer($0.pointer) })
        try OneDNNError.check(dnnl_primitive_execute(primitive, stream, Int32(arguments.count), arguments), "matmul execution", of: self.problem.description)
        try OneDNNError.check(dnnl_stream_wait(stream), "matmul execution", of: self.problem.description)
    }
}
