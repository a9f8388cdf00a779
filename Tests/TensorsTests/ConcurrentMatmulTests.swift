import Foundation
import Testing
import Tensors

/// Two threads multiplying at the same time get what one thread gets alone: the matmul path shares no mutable
/// state during execution (each call has its own memory objects, stream and scratchpad).
@Suite struct ConcurrentMatmulTests {
    /// A product and its inputs: `x · wᵀ + bias` through `linear`, then a batched `matmul`.
    struct Work: @unchecked Sendable {
        let x, weight, bias, other: Tensor

        init(rows: Int, inputs: Int, outputs: Int, seed: UInt64) {
            let generator = RandomGenerator(seed: seed)
            x = randomTensor([2, rows, inputs], generator)
            weight = randomTensor([outputs, inputs], generator)
            bias = randomTensor([outputs], generator)
            other = randomTensor([2, outputs, 7], generator)
        }

        func run() -> [Float] { x.linear(weight: weight, bias: bias).matmul(other).scalars }
    }

    /// Runs `bodies` on threads of their own, released together once all have started, and waits for them.
    static func runConcurrently(_ bodies: [@Sendable () -> Void]) {
        let group = DispatchGroup(), ready = DispatchSemaphore(value: 0), go = DispatchSemaphore(value: 0)
        for body in bodies {
            group.enter()
            Thread {
                ready.signal()
                go.wait()
                body()
                group.leave()
            }.start()
        }
        for _ in bodies { ready.wait() }
        for _ in bodies { go.signal() }
        group.wait()
    }

    /// `runs` repetitions of each work item per thread, counting results that differ from `expected`.
    static func mismatches(threads: [Work], expected: [[Float]], runs: Int) -> Int {
        mismatches(threads.map { work in { work.run() } }, expected: expected, runs: runs)
    }

    static func mismatches(_ threads: [@Sendable () -> [Float]], expected: [[Float]], runs: Int) -> Int {
        let lock = NSLock()
        nonisolated(unsafe) var count = 0
        runConcurrently(threads.indices.map { index in
            { @Sendable in
                let differing = (0..<runs).filter { _ in threads[index]() != expected[index] }.count
                lock.withLock { count += differing }
            }
        })
        return lock.withLock { count }
    }

    /// The same primitives on different data, so that a pointer crossing over between the threads shows; tiny
    /// shapes and many runs make the moments between setting up and running a product many and short.
    @Test(arguments: [(rows: 33, inputs: 64, outputs: 48, runs: 500), (rows: 3, inputs: 8, outputs: 5, runs: 5000)])
    func sameShapesOnTwoThreads(shape: (rows: Int, inputs: Int, outputs: Int, runs: Int)) {
        let first = Work(rows: shape.rows, inputs: shape.inputs, outputs: shape.outputs, seed: 80)
        let second = Work(rows: shape.rows, inputs: shape.inputs, outputs: shape.outputs, seed: 84)
        let serial = [first.run(), second.run()]
        #expect(Self.mismatches(threads: [first, second], expected: serial, runs: shape.runs) == 0)
    }

    @Test func differentShapesOnTwoThreads() {
        let first = Work(rows: 33, inputs: 64, outputs: 48, seed: 81)
        let second = Work(rows: 17, inputs: 96, outputs: 40, seed: 82)
        let serial = [first.run(), second.run()]
        #expect(Self.mismatches(threads: [first, second], expected: serial, runs: 500) == 0)
    }

    /// Both threads meet shapes that no primitive exists for yet: both may create it, one is kept.
    @Test func primitivesCreatedOnTwoThreadsAtOnce() {
        let work = Work(rows: 29, inputs: 72, outputs: 56, seed: 83)  // shapes no other test uses
        let lock = NSLock()
        nonisolated(unsafe) var results: [[Float]] = []
        Self.runConcurrently([0, 1].map { _ in
            { @Sendable in
                let result = work.run()
                lock.withLock { results.append(result) }
            }
        })
        let serial = work.run()
        #expect(lock.withLock { results } == [serial, serial])
    }

    /// Kernels that split large tensors over OpenMP threads (`parallelFor`): each calling thread starts a team of
    /// its own, and neither waits for the other's.
    @Test func parallelKernelsOnTwoThreads() {
        let generator = RandomGenerator(seed: 85)
        let inputs = (0..<2).map { _ in randomTensor([96, 1024], generator) }
        let weight = randomTensor([1024], generator), bias = randomTensor([1024], generator)
        let runs = inputs.map { x in { @Sendable in x.gelu().layerNorm(weight: weight, bias: bias, eps: 1e-5).softmax().scalars } }
        #expect(Self.mismatches(runs, expected: runs.map { $0() }, runs: 50) == 0)
    }
}
