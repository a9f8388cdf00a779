import Evaluation
import Testing

@Suite struct ResidentMemoryTests {
    @Test func thePeakCoversMemoryTouchedAfterAReset() throws {
        let (touched, peak) = ResidentMemory.measuringPeak { () -> Int in
            let before = ResidentMemory.currentBytes ?? 0
            let block = [UInt8](repeating: 1, count: 64 << 20)  // every page written
            return before + block.reduce(0) { $0 &+ Int($1) } * 0 + block.count
        }
        let peakBytes = try #require(peak, "this machine's kernel lets /proc/self/clear_refs reset the peak")
        #expect(peakBytes >= touched - (4 << 20))  // within a few pages of what was resident plus the block
    }

    @Test func readsTheResidentSet() throws {
        let current = try #require(ResidentMemory.currentBytes)
        #expect(current > 1 << 20)
        #expect(try #require(ResidentMemory.peakBytes) >= current)
    }
}
