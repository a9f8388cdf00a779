/// An open-addressing hash table from token bytes to token id, looked up by raw UTF-8 bytes and a hash the
/// caller computes incrementally, so no `String` is created for candidate substrings.
///
/// The probed array holds 8 bytes per slot (a 32-bit hash tag and an entry number) so that it stays in the CPU
/// cache; the key bytes are compared only when the tag matches.
struct TokenTable: Sendable {
    private struct Entry: Sendable {
        var offset: UInt32
        var length: UInt32
        var id: Int32
    }

    /// 0 for an empty slot, else `tag << 32 | (entry number + 1)`.
    private var slots: [UInt64]
    private var entries: [Entry] = []
    /// The key bytes of all entries, back to back.
    private var storage: [UInt8] = []
    private let shift: UInt64
    /// The longest key, in bytes: longer candidates need not be looked up.
    private(set) var maxKeyLength = 0

    static let emptyHash: UInt64 = 0xcbf2_9ce4_8422_2325

    /// FNV-1a, one byte at a time (so a prefix's hash extends to the next byte).
    @inline(__always)
    static func hash(_ hash: UInt64, appending byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        bytes.reduce(emptyHash) { hash($0, appending: $1) }
    }

    /// An empty table sized for `capacity` keys at a load factor of at most 1/2.
    init(capacity: Int) {
        var bits: UInt64 = 4
        while (1 << bits) < 2 * max(capacity, 1) { bits += 1 }
        shift = 64 - bits
        slots = Array(repeating: 0, count: 1 << bits)
    }

    @inline(__always)
    private func slotIndex(_ hash: UInt64) -> Int {
        // Fibonacci hashing spreads FNV's weak low bits over the table.
        Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt64 { hash >> 32 }

    /// Adds `key` with `id`; a key seen before takes the new id (as a later line of vocab.txt does in
    /// Hugging Face).
    mutating func insert(_ key: some Collection<UInt8>, id: Int32) {
        let hash = Self.hash(key)
        let mask = slots.count - 1
        var index = slotIndex(hash)
        while slots[index] != 0 {
            let slot = slots[index]
            let entry = entries[Int(UInt32(truncatingIfNeeded: slot)) - 1]
            if slot >> 32 == Self.tag(hash)
                && storage[Int(entry.offset)..<Int(entry.offset + entry.length)].elementsEqual(key)
            {
                entries[Int(UInt32(truncatingIfNeeded: slot)) - 1].id = id
                return
            }
            index = (index + 1) & mask
        }
        entries.append(Entry(offset: UInt32(storage.count), length: UInt32(key.count), id: id))
        slots[index] = Self.tag(hash) << 32 | UInt64(entries.count)
        storage.append(contentsOf: key)
        maxKeyLength = max(maxKeyLength, key.count)
    }

    /// The id of the `length` bytes at `bytes`, whose hash is `hash`, or -1.
    @inline(__always)
    func lookup(hash: UInt64, bytes: UnsafePointer<UInt8>, length: Int) -> Int32 {
        slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            let tag = Self.tag(hash)
            var index = slotIndex(hash)
            while true {
                let slot = slots[index]
                if slot == 0 { return -1 }
                if slot >> 32 == tag,
                    let id = matchingId(entry: Int(UInt32(truncatingIfNeeded: slot)) - 1, bytes, length)
                {
                    return id
                }
                index = (index + 1) & mask
            }
        }
    }

    /// The id of entry `entryIndex` if its key is the `length` bytes at `bytes`.
    @inline(__always)
    private func matchingId(entry entryIndex: Int, _ bytes: UnsafePointer<UInt8>, _ length: Int) -> Int32? {
        entries.withUnsafeBufferPointer { entries in
            let entry = entries[entryIndex]
            guard Int(entry.length) == length else { return nil }
            return storage.withUnsafeBufferPointer { storage in
                guard let keys = storage.baseAddress else { return length == 0 ? entry.id : nil }
                let key = keys + Int(entry.offset)
                for index in 0..<length where key[index] != bytes[index] { return nil }
                return entry.id
            }
        }
    }

    /// The id of `key`, or -1.
    func lookup(_ key: some Collection<UInt8>) -> Int32 {
        let bytes = Array(key)
        return bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return -1 }
            return lookup(hash: Self.hash(bytes), bytes: base, length: bytes.count)
        }
    }
}
