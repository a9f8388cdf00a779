import CDNNL
import Foundation

/// A 64-byte aligned block of `count` elements of one `ElementType`, shared by a tensor and its views.
///
/// oneDNN's AVX-512/AMX kernels run about 1.5x faster on 64-byte aligned buffers than on Swift arrays, so every
/// tensor owns its memory through this class rather than through an array. Large blocks are recycled through
/// `BufferPool`: a training step allocates the same activation sizes again and again, and fresh pages from the
/// kernel cost a page fault and a page clear each.
final class Storage: @unchecked Sendable {
    /// First byte, bound to `elementType.scalarType`; valid for `count` elements for the lifetime of the storage.
    let base: UnsafeMutableRawPointer
    let elementType: ElementType
    let count: Int
    private let capacityBytes: Int

    /// Uninitialised storage for `count` elements.
    init(uninitializedCount count: Int, elementType: ElementType = .f32) {
        self.count = count
        self.elementType = elementType
        (base, capacityBytes) = BufferPool.shared.take(bytes: BufferPool.roundedSize(max(count, 1) * elementType.byteSize))
        func bind<Element: TensorElement>(_: Element.Type) { base.bindMemory(to: Element.self, capacity: max(count, 1)) }
        bind(elementType.scalarType)
    }

    deinit { BufferPool.shared.give(base, bytes: capacityBytes) }
}

/// Large 64-byte aligned buffers, recycled: a released block waits idle for a request it fits, and idle blocks are
/// handed back to the system, oldest first, when keeping them would make the pool hold more than ``headroom`` above
/// the most ever in use at once.
///
/// A request takes the smallest idle block of its size up to `slack` times larger, so that a batch of shorter
/// sequences reuses the buffers of a longer one instead of allocating its own. Pooled blocks come from `mmap`, so a
/// block released goes back to the kernel at once. The old pool (exact sizes, from malloc, up to 4 GiB idle) kept one
/// set of buffers per batch length: 60 SST-2 fine-tuning updates peaked at 2.8 GB resident, 1.4 GB now.
public final class BufferPool: @unchecked Sendable {
    /// The pool every tensor allocates from.
    public static let shared = BufferPool()

    /// Blocks below this size come straight from `posix_memalign` (glibc serves them from its heap anyway).
    public static let smallestPooled = 1 << 16

    /// How much larger than the request an idle block may be and still be taken.
    public let slack: Double
    /// The pool's blocks, in use and idle, add up to at most this much more than the most ever in use at once.
    /// Measured on 60 SST-2 fine-tuning updates (README, Memory): 0 costs page faults (4 s of system time against
    /// 1.5), 0.25 runs as fast as an unbounded pool, 0.5 adds 240 MB resident for nothing.
    public static let headroom = 0.25
    private var idle: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []  // in order of release, oldest first
    private var counts = Statistics()
    private let lock = NSLock()

    /// What the pool holds, in bytes of pooled blocks (those of at least ``smallestPooled`` bytes).
    public struct Statistics: Sendable, Equatable {
        /// Taken and not yet given back.
        public var inUseBytes = 0
        /// The most ever in use at once.
        public var peakInUseBytes = 0
        /// Idle, kept for reuse.
        public var idleBytes = 0
        /// Ever allocated from the system (requests no idle block could serve).
        public var allocatedBytes = 0

        public init() {}
    }

    public init(slack: Double = 1.5) {
        self.slack = slack
    }

    public var statistics: Statistics {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }

    /// Sizes are rounded up to one of four steps per power of two (at most 25% slack), so that batches of
    /// slightly different sequence lengths reuse each other's buffers.
    public static func roundedSize(_ bytes: Int) -> Int {
        guard bytes >= smallestPooled else { return bytes }
        let power = 1 << (Int.bitWidth - 1 - (bytes - 1).leadingZeroBitCount)  // largest power of two < bytes
        let step = power / 4
        return (bytes + step - 1) / step * step
    }

    /// A block of at least `bytes`, and its actual size, which ``give(_:bytes:)`` needs back.
    public func take(bytes: Int) -> (pointer: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= BufferPool.smallestPooled else {
            var raw: UnsafeMutableRawPointer?
            guard posix_memalign(&raw, 64, bytes) == 0, let raw else { preconditionFailure("out of memory allocating \(bytes) bytes") }
            return (raw, bytes)
        }
        lock.lock()
        defer { lock.unlock() }
        let reused = bestIdleBlock(for: bytes).map { idle.remove(at: $0) }
        counts.inUseBytes += reused?.bytes ?? bytes
        counts.peakInUseBytes = max(counts.peakInUseBytes, counts.inUseBytes)
        if let reused {
            counts.idleBytes -= reused.bytes
            return reused
        }
        let footprintLimit = Int(Double(counts.peakInUseBytes) * (1 + Self.headroom))
        var released = 0
        while released < idle.count && counts.inUseBytes + counts.idleBytes > footprintLimit {
            counts.idleBytes -= idle[released].bytes
            munmap(idle[released].pointer, idle[released].bytes)
            released += 1
        }
        idle.removeFirst(released)
        counts.allocatedBytes += bytes
        // Straight from the kernel (page-aligned), so that a block freed goes back to it at once: through malloc,
        // freed blocks would stay in its heap, and resident memory would grow with every new size.
        guard let block = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), block != MAP_FAILED else {
            preconditionFailure("out of memory allocating \(bytes) bytes")
        }
        return (block, bytes)
    }

    /// Hands back a block from ``take(bytes:)`` with the size it returned.
    public func give(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= BufferPool.smallestPooled else { return free(pointer) }
        lock.lock()
        counts.inUseBytes -= bytes
        idle.append((pointer, bytes))
        counts.idleBytes += bytes
        lock.unlock()
    }

    /// Hands every idle block back to the system, and the C heap's free pages too (before a measurement of resident
    /// memory, say).
    public func releaseIdle() {
        lock.lock()
        idle.forEach { munmap($0.pointer, $0.bytes) }
        idle.removeAll()
        counts.idleBytes = 0
        lock.unlock()
        _ = Self.mallocTrim?(0)
    }

    /// glibc's `malloc_trim`, looked up at run time: Swift's Glibc module does not declare it.
    private static let mallocTrim = dlsym(nil, "malloc_trim").map { unsafeBitCast($0, to: (@convention(c) (Int) -> Int32).self) }

    /// The smallest idle block that fits `bytes` within the slack, the most recently released among equals.
    private func bestIdleBlock(for bytes: Int) -> Int? {
        let largest = Int(Double(bytes) * slack)
        var best: Int?
        for index in idle.indices.reversed() where idle[index].bytes >= bytes && idle[index].bytes <= largest {
            if idle[index].bytes == bytes { return index }
            if best.map({ idle[index].bytes < idle[$0].bytes }) ?? true { best = index }
        }
        return best
    }
}
