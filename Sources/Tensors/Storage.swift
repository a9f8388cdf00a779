import Foundation
import CDNNL

/// A 64-byte aligned block of `Float`s shared by a tensor and its views.
///
/// oneDNN's AVX-512/AMX kernels run about 1.5x faster on 64-byte aligned buffers than on Swift arrays, so every
/// tensor owns its memory through this class rather than through `[Float]`.
public final class Storage: @unchecked Sendable {
    /// First element; valid for `count` elements for the lifetime of the storage.
    public let base: UnsafeMutablePointer<Float>
    public let count: Int

    /// Uninitialised storage for `count` floats.
    public init(uninitializedCount count: Int) {
        Storage.configureAllocatorOnce
        self.count = count
        var raw: UnsafeMutableRawPointer?
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            preconditionFailure("out of memory allocating \(bytes) bytes")
        }
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit { free(base) }

    /// Large activations are allocated and freed every step; keeping them on the heap instead of fresh `mmap`s
    /// avoids paying a page fault per 4 KiB on every allocation (glibc would otherwise mmap blocks over 32 MiB).
    private static let configureAllocatorOnce: Void = {
        #if os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, Int32(1 << 30))
        _ = mallopt(M_TRIM_THRESHOLD, Int32(1 << 30))
        #endif
    }()
}
