/// The tokens of one text before post-processing: ids and the original code-point range of each.
struct TokenSequence: Sendable {
    var ids: [Int32] = []
    var offsets: [Range<Int>] = []

    var count: Int { ids.count }

    @inline(__always)
    mutating func append(_ id: Int32, _ offset: Range<Int>) {
        ids.append(id)
        offsets.append(offset)
    }

    mutating func removeLast(_ count: Int) {
        ids.removeLast(count)
        offsets.removeLast(count)
    }

    /// Keeps the first `length` tokens (all of them when there are fewer).
    mutating func truncate(to length: Int) {
        if count > length { removeLast(count - max(length, 0)) }
    }
}

/// Scratch space for the word being built: its normalized UTF-8 bytes and, for each character, the byte where it
/// ends and the index of the original code point it came from. Characters past `capacity` are counted but not
/// stored: such a word is longer than WordPiece accepts and becomes the unknown token anyway.
struct WordBuffer {
    let capacity: Int
    let bytes: UnsafeMutablePointer<UInt8>
    let charEnds: UnsafeMutablePointer<Int>
    let origins: UnsafeMutablePointer<Int>
    /// Room for WordPiece's hashes of candidate pieces (one per character).
    let prefixHashes: UnsafeMutablePointer<UInt64>
    private(set) var charCount = 0
    private(set) var byteCount = 0
    private(set) var firstOrigin = 0
    private(set) var lastOrigin = 0

    /// Bytes of scratch memory needed for a word of `capacity` characters.
    static func byteCount(capacity: Int) -> Int { capacity * (3 * 8 + 4) }

    /// Carves the buffer out of `memory` (8-byte aligned, at least `byteCount(capacity:)` bytes).
    init(memory: UnsafeMutableRawPointer, capacity: Int) {
        self.capacity = capacity
        prefixHashes = memory.bindMemory(to: UInt64.self, capacity: capacity)
        charEnds = (memory + 8 * capacity).bindMemory(to: Int.self, capacity: capacity)
        origins = (memory + 16 * capacity).bindMemory(to: Int.self, capacity: capacity)
        bytes = (memory + 24 * capacity).bindMemory(to: UInt8.self, capacity: 4 * capacity)
    }

    var isEmpty: Bool { charCount == 0 }

    mutating func removeAll() {
        charCount = 0
        byteCount = 0
    }

    @inline(__always)
    private mutating func noteOrigin(_ origin: Int) {
        if charCount == 0 { firstOrigin = origin }
        lastOrigin = origin
    }

    @inline(__always)
    mutating func append(ascii byte: UInt8, origin: Int) {
        noteOrigin(origin)
        if charCount < capacity {
            bytes[byteCount] = byte
            byteCount += 1
            charEnds[charCount] = byteCount
            origins[charCount] = origin
        }
        charCount += 1
    }

    mutating func append(_ scalar: Unicode.Scalar, origin: Int) {
        noteOrigin(origin)
        if charCount < capacity {
            for unit in scalar.utf8 {
                bytes[byteCount] = unit
                byteCount += 1
            }
            charEnds[charCount] = byteCount
            origins[charCount] = origin
        }
        charCount += 1
    }
}
