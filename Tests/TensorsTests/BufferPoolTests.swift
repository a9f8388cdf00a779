import Tensors
import Testing

@Suite struct BufferPoolTests {
    let megabyte = 1 << 20

    @Test func aSmallerRequestReusesALargerIdleBlockWithinTheSlack() {
        let pool = BufferPool(slack: 1.5)
        let block = pool.take(bytes: 4 * megabyte)
        pool.give(block.pointer, bytes: block.bytes)
        let reused = pool.take(bytes: 3 * megabyte)
        #expect(reused.pointer == block.pointer && reused.bytes == 4 * megabyte)
        let fresh = pool.take(bytes: 2 * megabyte)  // 4 MB would waste more than the slack allows
        #expect(fresh.pointer != block.pointer)
        #expect(pool.statistics.allocatedBytes == 6 * megabyte)
        pool.give(reused.pointer, bytes: reused.bytes)
        pool.give(fresh.pointer, bytes: fresh.bytes)
        pool.releaseIdle()
    }

    /// Training on batches of varying length: each "step" takes a set of buffers sized by its length and gives them
    /// all back. An uncapped pool would keep one set per length; this one keeps at most the peak in use.
    @Test func idleMemoryStaysWithinThePeakInUse() {
        let pool = BufferPool(slack: 1.5)
        for length in [64, 20, 48, 12, 60, 33, 27, 64, 9, 41] {
            let blocks = (1...6).map { pool.take(bytes: BufferPool.roundedSize(length * $0 * 100_000)) }
            blocks.forEach { pool.give($0.pointer, bytes: $0.bytes) }
            let statistics = pool.statistics
            #expect(statistics.inUseBytes == 0)
            #expect(statistics.idleBytes <= statistics.peakInUseBytes)
        }
        // The first step (length 64) was the largest: later steps mostly reuse its blocks.
        let statistics = pool.statistics
        #expect(statistics.allocatedBytes < 3 * statistics.peakInUseBytes)
        pool.releaseIdle()
        #expect(pool.statistics.idleBytes == 0)
    }

    @Test func smallBlocksBypassThePool() {
        let pool = BufferPool()
        let block = pool.take(bytes: BufferPool.smallestPooled - 64)
        pool.give(block.pointer, bytes: block.bytes)
        #expect(pool.statistics == BufferPool.Statistics())
    }
}
