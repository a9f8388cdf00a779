import Dispatch
import Foundation

/// Splits `0..<count` into contiguous chunks and runs them on all cores when the work is large enough.
///
/// `grain` is the smallest number of items worth a thread of its own; below `2 * grain` the body runs inline,
/// so small tensors pay no dispatch cost. The chunks run on oneDNN's own OpenMP threads when they can: those
/// threads spin for a while after each matmul, and a second thread pool would fight them for the two cores.
@inline(__always)
public func parallelFor(_ count: Int, grain: Int = 16_384, _ body: (Range<Int>) -> Void) {
    let workers = min(ParallelConfig.workers, count / max(grain, 1))
    if workers <= 1 {
        if count > 0 { body(0..<count) }
        return
    }
    let chunk = (count + workers - 1) / workers
    // The chunks are disjoint and the call returns only when all are done, so sharing `body` is safe.
    withoutActuallyEscaping(body) { body in
        var job = ParallelJob(body: body, count: count, chunk: chunk)
        if let openMP = OpenMP.shared {
            withUnsafeMutablePointer(to: &job) { openMP.parallel(ParallelJob.runOnOpenMPThread, UnsafeMutableRawPointer($0), UInt32(workers), 0) }
        } else {
            let shared = UncheckedSendable(job)
            DispatchQueue.concurrentPerform(iterations: workers) { shared.value.run(worker: $0) }
        }
    }
}

/// One `parallelFor` call, handed to worker threads by pointer.
private struct ParallelJob {
    let body: (Range<Int>) -> Void
    let count: Int
    let chunk: Int

    func run(worker: Int) {
        let start = worker * chunk
        let end = min(count, start + chunk)
        if start < end { body(start..<end) }
    }

    static let runOnOpenMPThread: @convention(c) (UnsafeMutableRawPointer?) -> Void = { context in
        guard let context, let openMP = OpenMP.shared else { return }
        let job = context.assumingMemoryBound(to: ParallelJob.self).pointee
        // The team can be smaller than asked for (a loop inside another parallel loop gets a single thread),
        // so each thread takes every team-size-th chunk rather than only its own.
        let chunks = (job.count + job.chunk - 1) / job.chunk, team = max(1, Int(openMP.threadCount()))
        for worker in stride(from: Int(openMP.threadNumber()), to: chunks, by: team) { job.run(worker: worker) }
    }
}

/// The OpenMP runtime (GNU libgomp) that oneDNN is built on, found at run time in the process.
private struct OpenMP: @unchecked Sendable {
    typealias Parallel = @convention(c) (
        @convention(c) (UnsafeMutableRawPointer?) -> Void, UnsafeMutableRawPointer?, UInt32, UInt32) -> Void
    typealias ThreadNumber = @convention(c) () -> Int32

    let parallel: Parallel
    let threadNumber: ThreadNumber
    let threadCount: ThreadNumber

    static let shared: OpenMP? = {
        // Make sure oneDNN, and with it libgomp, is loaded before looking its symbols up.
        _ = OneDNN.shared
        guard let parallel = dlsym(nil, "GOMP_parallel"), let threadNumber = dlsym(nil, "omp_get_thread_num"),
              let threadCount = dlsym(nil, "omp_get_num_threads")
        else { return nil }
        return OpenMP(parallel: unsafeBitCast(parallel, to: Parallel.self),
                      threadNumber: unsafeBitCast(threadNumber, to: ThreadNumber.self),
                      threadCount: unsafeBitCast(threadCount, to: ThreadNumber.self))
    }()
}

/// Number of threads our own kernels use (oneDNN's come from OpenMP's `OMP_NUM_THREADS`).
public enum ParallelConfig {
    public static let workers: Int = {
        for variable in ["DISTILL_THREADS", "OMP_NUM_THREADS"] {
            if let text = getenv(variable).map({ String(cString: $0) }), let n = Int(text), n > 0 { return n }
        }
        return ProcessInfo.processInfo.activeProcessorCount
    }()
}

/// Carries a value into a `@Sendable` closure when the caller guarantees there is no data race.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
