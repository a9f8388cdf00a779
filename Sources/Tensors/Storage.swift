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
        capacityBytes = BufferPool.roundedSize(max(count, 1) * elementType.byteSize)
        base = BufferPool.shared.take(bytes: capacityBytes)
        func bind<Element: TensorElement>(_: Element.Type) { base.bindMemory(to: Element.self, capacity: max(count, 1)) }
        bind(elementType.scalarType)
    }

    deinit { BufferPool.shared.give(base, bytes: capacityBytes) }
}

/// Free lists of large aligned buffers by size class, capped in total size.
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()

    /// Blocks below this size come straight from `posix_memalign` (glibc serves them from its heap anyway).
    static let smallestPooled = 1 << 16
    /// Most memory kept idle in the pool.
    static let idleLimit = 4 << 30

    private var free: [Int: [UnsafeMutableRawPointer]] = [:]
    private var idleBytes = 0
    private let lock = NSLock()

    /// Sizes are rounded up to one of four steps per power of two (at most 25% slack), so that batches of
    /// slightly different sequence lengths reuse each other's buffers.
    static func roundedSize(_ bytes: Int) -> Int {
        guard bytes >= smallestPooled else { return bytes }
        let power = 1 << (Int.bitWidth - 1 - (bytes - 1).leadingZeroBitCount)  // largest power of two < bytes
        let step = power / 4
        return (bytes + step - 1) / step * step
    }

    func take(bytes: Int) -> UnsafeMutableRawPointer {
        if bytes >= BufferPool.smallestPooled {
            lock.lock()
            let reused = free[bytes]?.popLast()
            if reused != nil { idleBytes -= bytes }
            lock.unlock()
            if let reused { return reused }
        }
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            preconditionFailure("out of memory allocating \(bytes) bytes")
        }
        return raw
    }

    func give(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        if bytes >= BufferPool.smallestPooled {
            lock.lock()
            defer { lock.unlock() }
            if idleBytes + bytes <= BufferPool.idleLimit {
                free[bytes, default: []].append(pointer)
                idleBytes += bytes
                return
            }
        }
        Foundation.free(pointer)
    }
}
