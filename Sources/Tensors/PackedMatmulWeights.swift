import CDNNL
import Foundation

/// A weight matrix (`[out, in]`, as PyTorch stores it) reordered once into the blocked layout that oneDNN's
/// matmul kernels read fastest, with the primitives that multiply by it.
///
/// The layout is the one a matmul primitive asks for when created with `format_tag any` for its weights; the
/// brgemm kernels (`brg:avx512_core_vnni`, `brg:avx512_core_amx`, ...) pick it by the weight shape and types, so
/// one reorder at load serves every row count. Each row count gets its own primitive with fixed shapes and no
/// run-time scales, which is what keeps oneDNN on those kernels instead of the slower `gemm:jit`.
final class PackedMatmulWeights: @unchecked Sendable {
    let outputSize: Int, inputSize: Int
    /// The element types of the input rows and of the product (unless a call asks for another).
    let sourceType: ElementType, destinationType: ElementType
    private let weightType: ElementType
    /// The reordered bytes (a `u8` tensor only holds them).
    private let packed: Tensor
    private let packedDescriptor: dnnl_memory_desc_t
    private var primitives: [MatmulProblem: MatmulPrimitive] = [:]
    private let lock = NSLock()
    /// How products of each shape split their rows, learnt once per process.
    private static let rowSplitting = RowSplitting<MatmulProblem>()

    /// Reorders `weight` (`[out, in]`, row-major) for products of `sourceType` rows into `destinationType`.
    /// Throws when this CPU (as oneDNN sees it) lacks the instructions for the types, or oneDNN has no kernel.
    init(weight: Tensor, sourceType: ElementType, destinationType: ElementType) throws(OneDNNError) {
        precondition(weight.shape.count == 2, "packed weights must be a matrix, not \(weight.shape)")
        (outputSize, inputSize) = (weight.shape[0], weight.shape[1])
        (self.sourceType, self.destinationType, weightType) = (sourceType, destinationType, weight.elementType)
        let logical = MatrixLayout.rowMajor([outputSize, inputSize], type: weightType).transposed
        let operation = "reorder of \(logical) for \(sourceType) inputs"
        if let reason = CPUFeatures.oneDNN.missingSupport(forMatmul: sourceType, weightType) {
            throw .unsupportedCPU(operation: operation, reason: reason)
        }
        let engine = try OneDNN.shared.engine.get()
        packedDescriptor = try Self.preferredLayout(of: logical, sourceType: sourceType, destinationType: destinationType,
                                                    engine: engine, operation: operation)
        let bytes = withUnsafePointer(to: packedDescriptor) { dnnl_memory_desc_get_size($0) }
        packed = Tensor(shape: [bytes], elementType: .u8)
        var source = try logical.descriptor(of: operation)
        try weight.withUnsafeBytes { (from) throws(OneDNNError) in
            try packed.withUnsafeMutableBytes { (to) throws(OneDNNError) in
                guard let fromBase = from.baseAddress, let toBase = to.baseAddress else { return }
                try Self.reorder(fromBase, &source, into: toBase, packedDescriptor, engine: engine, operation: operation)
            }
        }
    }

    /// The weights layout oneDNN picks for a matmul of these types and shapes. The row count of the query is a
    /// typical one (128 tokens); the brgemm kernels block the weights by their own shape only.
    private static func preferredLayout(
        of logical: MatrixLayout, sourceType: ElementType, destinationType: ElementType, engine: dnnl_engine_t,
        operation: String
    ) throws(OneDNNError) -> dnnl_memory_desc_t {
        let (k, n) = (logical.dims[0], logical.dims[1]), rows = 128
        var a = try MatrixLayout.rowMajor([rows, k], type: sourceType).descriptor(of: operation)
        var c = try MatrixLayout.rowMajor([rows, n], type: destinationType).descriptor(of: operation)
        var b = dnnl_memory_desc_t()
        var dims: [dnnl_dim_t] = [dnnl_dim_t(k), dnnl_dim_t(n)]
        try OneDNNError.check(dnnl_memory_desc_init_by_tag(&b, 2, &dims, logical.type.dnnl, dnnl_format_tag_any),
                              "weights descriptor", of: operation)
        var opDesc = dnnl_matmul_desc_t()
        try OneDNNError.check(dnnl_matmul_desc_init(&opDesc, &a, &b, nil, &c), "matmul descriptor", of: operation)
        var descriptor: dnnl_primitive_desc_t?
        try OneDNNError.check(withUnsafePointer(to: &opDesc) { dnnl_primitive_desc_create(&descriptor, UnsafeRawPointer($0), nil, engine, nil) },
                              "matmul primitive descriptor", of: operation)
        defer { dnnl_primitive_desc_destroy(descriptor) }
        guard let layout = dnnl_primitive_desc_query_md(descriptor, dnnl_query_weights_md, 0)?.pointee else {
            throw .failed(step: "weights layout query", operation: operation, status: "no layout returned")
        }
        return layout
    }

    private static func reorder(
        _ from: UnsafeRawPointer, _ fromDescriptor: inout dnnl_memory_desc_t, into to: UnsafeMutableRawPointer,
        _ toDescriptor: dnnl_memory_desc_t, engine: dnnl_engine_t, operation: String
    ) throws(OneDNNError) {
        var toDescriptor = toDescriptor
        var descriptor: dnnl_primitive_desc_t?
        try OneDNNError.check(dnnl_reorder_primitive_desc_create(&descriptor, &fromDescriptor, engine, &toDescriptor, engine, nil),
                              "reorder primitive descriptor", of: operation)
        defer { dnnl_primitive_desc_destroy(descriptor) }
        var primitive: dnnl_primitive_t?
        try OneDNNError.check(dnnl_primitive_create(&primitive, descriptor), "reorder primitive", of: operation)
        defer { dnnl_primitive_destroy(primitive) }
        var fromMemory: dnnl_memory_t?, toMemory: dnnl_memory_t?
        try OneDNNError.check(dnnl_memory_create(&fromMemory, &fromDescriptor, engine, UnsafeMutableRawPointer(mutating: from)),
                              "memory object", of: operation)
        defer { dnnl_memory_destroy(fromMemory) }
        try OneDNNError.check(dnnl_memory_create(&toMemory, &toDescriptor, engine, to), "memory object", of: operation)
        defer { dnnl_memory_destroy(toMemory) }
        var stream: dnnl_stream_t?
        try OneDNNError.check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "stream", of: operation)
        defer { dnnl_stream_destroy(stream) }
        let arguments = [dnnl_exec_arg_t(arg: DNNL_ARG_SRC, memory: fromMemory), dnnl_exec_arg_t(arg: DNNL_ARG_DST, memory: toMemory)]
        try OneDNNError.check(dnnl_primitive_execute(primitive, stream, 2, arguments), "reorder execution", of: operation)
        try OneDNNError.check(dnnl_stream_wait(stream), "reorder execution", of: operation)
    }

    /// `c = epilogue(a · Wᵀ)` for `rows` row-major rows of `sourceType` in `a`, into row-major `c` of
    /// `outputType` (`destinationType` unless given); `bias` (f32, one per output) exactly when the epilogue adds one.
    ///
    /// More than `RowBlocks.size` rows go through in blocks of that many or in one product, as
    /// `RowSplitting` chooses (the two give the same values: the products differ in rows only).
    func multiply(
        _ a: UnsafeRawPointer, rows: Int, into c: UnsafeMutableRawPointer, bias: UnsafeRawPointer? = nil,
        epilogue: MatmulEpilogue = MatmulEpilogue(), outputType: ElementType? = nil
    ) throws(OneDNNError) {
        let engine = try OneDNN.shared.engine.get()
        let outputType = outputType ?? destinationType
        let whole = problem(rows: rows, epilogue: epilogue, outputType: outputType)
        let chosen = Self.rowSplitting.choice(for: whole, rows: rows)
        // Every primitive is made before the clock starts: creation (a JIT compile) is not what is compared.
        let blocks: [(first: Int, primitive: MatmulPrimitive)]
        switch chosen {
        case .whole, .timeWhole: blocks = [(0, try cachedPrimitive(for: whole, engine: engine))]
        case .blocks, .timeBlocks:
            blocks = try stride(from: 0, to: rows, by: RowBlocks.size).map { (first) throws(OneDNNError) in
                let count = min(RowBlocks.size, rows - first)
                return (first, try cachedPrimitive(for: problem(rows: count, epilogue: epilogue, outputType: outputType), engine: engine))
            }
        }
        let (aRowBytes, cRowBytes) = (inputSize * sourceType.byteSize, outputSize * outputType.byteSize)
        let start = DispatchTime.now().uptimeNanoseconds
        try packed.withUnsafeBytes { (weights) throws(OneDNNError) in
            guard let base = weights.baseAddress else { return }
            for (first, primitive) in blocks {
                try primitive.run(engine: engine, a: a + first * aRowBytes, b: base, c: c + first * cRowBytes, bias: bias, scales: nil)
            }
        }
        if chosen.isTrial {
            Self.rowSplitting.record(chosen, nanoseconds: DispatchTime.now().uptimeNanoseconds - start, for: whole)
        }
    }

    private func problem(rows: Int, epilogue: MatmulEpilogue, outputType: ElementType) -> MatmulProblem {
        MatmulProblem(
            a: .rowMajor([rows, inputSize], type: sourceType),
            b: MatrixLayout.rowMajor([outputSize, inputSize], type: weightType).transposed,
            c: .rowMajor([rows, outputSize], type: outputType), epilogue: epilogue)
    }

    /// The primitive for `problem`, created on first use (under the lock: creation is rare, one per row count).
    private func cachedPrimitive(for problem: MatmulProblem, engine: dnnl_engine_t) throws(OneDNNError) -> MatmulPrimitive {
        lock.lock()
        defer { lock.unlock() }
        if let cached = primitives[problem] { return cached }
        let created = try MatmulPrimitive(problem, engine: engine, weights: packedDescriptor)
        primitives[problem] = created
        return created
    }
}
