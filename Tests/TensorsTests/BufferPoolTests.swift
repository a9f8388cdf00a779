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
    /// all back. A pool without a bound would keep one set per length.
    @Test func theFootprintStaysWithinTheHeadroomAboveThePeakInUse() {
        let pool = BufferPool(slack: 1.5)
        for length in [20, 48, 12, 64, 33, 27, 60, 9, 41, 64] {
            let blocks = (1...6).map { pool.take(bytes: BufferPool.roundedSize(length * $0 * 100_000)) }
            blocks.forEach { pool.give($0.pointer, bytes: $0.bytes) }
            let statistics = pool.statistics
            #expect(statistics.inUseBytes == 0)
            #expect(Double(statistics.idleBytes) <= Double(statistics.peakInUseBytes) * (1 + BufferPool.headroom))
        }
        // After the first length-64 step, the others mostly reuse its blocks.
        let statistics = pool.statistics
        #expect(statistics.allocatedBytes < 4 * statistics.peakInUseBytes)
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
