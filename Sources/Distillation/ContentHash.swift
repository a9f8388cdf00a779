import Foundation

/// A fast 64-bit hash for recognising unchanged inputs (not for security): FNV-1a's multiply-xor over
/// 64-bit words, each step followed by a xorshift so that high bits reach low ones.
///
/// Every step is a bijection of the state, so changing any single word of the input always changes the hash.
public struct ContentHash: Sendable {
    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    public private(set) var value = ContentHash.offsetBasis

    public init() {}

    private mutating func mix(_ word: UInt64) {
        value = (value ^ word) &* Self.prime
        value ^= value >> 29
    }

    /// Feeds raw bytes: whole little-endian words, then the tail bytes one per word, then the byte count.
    public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        let words = bytes.count / 8
        for index in 0..<words {
            mix(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)))
        }
        for index in (words * 8)..<bytes.count { mix(UInt64(bytes[index])) }
        mix(UInt64(bytes.count))
    }

    /// Feeds an integer array and its length.
    public mutating func combine(_ values: [Int32]) {
        values.withUnsafeBytes { combine($0) }
    }

    /// Feeds one integer.
    public mutating func combine(_ value: Int) {
        mix(UInt64(bitPattern: Int64(value)))
    }

    /// The hash as 16 hexadecimal digits.
    public var hexDigits: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// The size and content hash of one or more files read in order (a checkpoint's shards), to tell whether they
/// changed since a result was computed from them.
public struct FileFingerprint: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Total size in bytes.
    public var size: Int
    /// ``ContentHash`` of the contents, as hex digits.
    public var hash: String

    /// Reads the files in 4 MiB chunks.
    public init(contentsOf urls: [URL]) throws(FileFingerprintError) {
        var hasher = ContentHash()
        var size = 0
        for url in urls {
            let handle: FileHandle
            do {
                handle = try FileHandle(forReadingFrom: url)
            } catch {
                throw FileFingerprintError(path: url.path, reason: error.localizedDescription)
            }
            defer { try? handle.close() }
            while true {
                let chunk: Data?
                do {
                    chunk = try handle.read(upToCount: 1 << 22)
                } catch {
                    throw FileFingerprintError(path: url.path, reason: error.localizedDescription)
                }
                guard let chunk, !chunk.isEmpty else { break }
                chunk.withUnsafeBytes { hasher.combine($0) }
                size += chunk.count
            }
        }
        self.size = size
        hash = hasher.hexDigits
    }

    public init(contentsOf url: URL) throws(FileFingerprintError) {
        try self.init(contentsOf: [url])
    }

    public var description: String { "\(size) bytes, hash \(hash)" }
}

/// A file that could not be read for fingerprinting.
public struct FileFingerprintError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public var description: String { "\(path): cannot read for fingerprinting: \(reason)" }
}
