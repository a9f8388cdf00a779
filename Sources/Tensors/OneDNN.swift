import CDNNL
import Foundation

/// The oneDNN CPU engine and a cache of matmul primitives, one per shape, layout and epilogue.
///
/// Threads may multiply at the same time: the lock guards only the cache lookup and insert, and each call runs
/// its primitive with memory objects, a stream and a scratchpad of its own (creating them costs about 2 µs).
/// Each calling thread gets its own OpenMP team of `OMP_NUM_THREADS` threads, so k threads running inference
/// at once should set `OMP_NUM_THREADS` to about cores / k to keep the machine from being oversubscribed.
public final class OneDNN: @unchecked Sendable {
    public static let shared = OneDNN()

    let engine: Result<dnnl_engine_t, OneDNNError>
    private var cache: [MatmulProblem: MatmulPrimitive] = [:]
    private let lock = NSLock()

    private init() {
        engine = Result { () throws(OneDNNError) -> dnnl_engine_t in
            var engine: dnnl_engine_t?
            try OneDNNError.check(dnnl_engine_create(&engine, dnnl_cpu, 0), "CPU engine", of: "oneDNN")
            guard let engine else { throw .failed(step: "CPU engine", operation: "oneDNN", status: "no engine returned") }
            return engine
        }
    }

    /// Number of primitives created so far (each shape is created once and reused).
    public var cachedPrimitiveCount: Int { lock.withLock { cache.count } }

    /// `c = epilogue(a · b)`, batched over leading axes (an operand with batch size 1 is broadcast).
    ///
    /// `bias` (f32, one per output column) is given exactly when the epilogue adds one, and `scales` (f32, one or
    /// one per output column) exactly when its output scales are given at run time. Throws when oneDNN has no
    /// kernel for the layouts and types, or when this CPU lacks the instructions the types need (see
    /// `CPUFeatures.missingSupport(forMatmul:_:)`).
    public func matmul(
        _ a: UnsafeRawPointer, _ aLayout: MatrixLayout,
        _ b: UnsafeRawPointer, _ bLayout: MatrixLayout,
        _ c: UnsafeMutableRawPointer, _ cLayout: MatrixLayout,
        bias: UnsafeRawPointer? = nil, scales: UnsafePointer<Float>? = nil, epilogue: MatmulEpilogue = MatmulEpilogue()
    ) throws(OneDNNError) {
        let problem = MatmulProblem(a: aLayout, b: bLayout, c: cLayout, epilogue: epilogue)
        guard epilogue.bias == (bias != nil) else {
            throw .invalidOperands(operation: problem.description, problem: "a bias is passed exactly when the epilogue adds one")
        }
        guard (problem.runTimeScaleCount > 0) == (scales != nil) else {
            throw .invalidOperands(operation: problem.description, problem: "scales are passed exactly when the epilogue takes them at run time")
        }
        let engine = try engine.get()
        try primitive(for: problem, engine: engine)
            .run(engine: engine, a: a, b: b, c: c, bias: bias, scales: scales.map { UnsafeRawPointer($0) })
    }

    /// The cached primitive for `problem`, created outside the lock on first use (two threads may both create
    /// it; the first one stored wins).
    private func primitive(for problem: MatmulProblem, engine: dnnl_engine_t) throws(OneDNNError) -> MatmulPrimitive {
        if let cached = lock.withLock({ cache[problem] }) { return cached }
        if let reason = CPUFeatures.oneDNN.missingSupport(forMatmul: problem.a.type, problem.b.type) {
            throw .unsupportedCPU(operation: problem.description, reason: reason)
        }
        let created = try MatmulPrimitive(problem, engine: engine)
        return lock.withLock {
            if let stored = cache[problem] { return stored }
            cache[problem] = created
            return created
        }
    }
}
