import Foundation

/// Per-scalar canonical decomposition (the "D" of NFD), for accent stripping.
///
/// The standard library does not expose decomposition mappings, so the table is filled once, on first use,
/// by asking Foundation to decompose each scalar that can have a mapping (about 2,000 do; ~25 ms). Hangul
/// syllables decompose algorithmically and are not stored. Only scalars of Unicode 9.0 or earlier are decomposed,
/// like the normalization tables of Hugging Face `tokenizers`. Canonical reordering is the caller's business.
enum CanonicalDecomposition {
    private struct Table: Sendable {
        /// Scalar value -> (start, count) in `pool`.
        var ranges: [UInt32: (start: Int32, count: Int32)] = [:]
        var pool: [Unicode.Scalar] = []
    }

    private static let table: Table = {
        // Blocks without any canonical decomposition, skipped to keep the one-time scan short:
        // CJK unified ideographs (extension A, base, B-F), Hangul syllables (algorithmic), surrogates, private use.
        let skipped: [ClosedRange<UInt32>] = [
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xF8FF, 0x20000...0x2F7FF,
        ]
        var table = Table()
        var value: UInt32 = 0xC0
        while value < 0x30000 {
            if let block = skipped.first(where: { $0.lowerBound == value }) {
                value = block.upperBound + 1
                continue
            }
            defer { value += 1 }
            guard let scalar = Unicode.Scalar(value), BertCharacterClasses.isInNormalizationTables(scalar) else {
                continue
            }
            let decomposed = String(Character(scalar)).decomposedStringWithCanonicalMapping.unicodeScalars
            if decomposed.count == 1 && decomposed.first == scalar { continue }
            table.ranges[value] = (Int32(table.pool.count), Int32(decomposed.count))
            table.pool.append(contentsOf: decomposed)
        }
        return table
    }()

    /// Calls `body` with each scalar of the full canonical decomposition of `scalar` (itself if it has none), in
    /// the order of the mapping.
    @inline(__always)
    static func forEachScalar(of scalar: Unicode.Scalar, _ body: (Unicode.Scalar) -> Void) {
        let value = scalar.value
        if value < 0xC0 {
            body(scalar)
            return
        }
        // Hangul syllable = leading consonant + vowel (+ trailing consonant), per the Unicode standard (3.12).
        if (0xAC00...0xD7A3).contains(value) {
            let index = value - 0xAC00
            let vowelCount: UInt32 = 21
            let trailingCount: UInt32 = 28
            body(jamo(0x1100 + index / (vowelCount * trailingCount)))
            body(jamo(0x1161 + (index % (vowelCount * trailingCount)) / trailingCount))
            if index % trailingCount != 0 { body(jamo(0x11A7 + index % trailingCount)) }
            return
        }
        guard let range = table.ranges[value] else {
            body(scalar)
            return
        }
        let pool = table.pool
        for position in Int(range.start)..<Int(range.start + range.count) { body(pool[position]) }
    }

    /// A scalar of the Hangul Jamo block (0x1100-0x11FF, always valid; the fallback is never taken).
    private static func jamo(_ value: UInt32) -> Unicode.Scalar {
        Unicode.Scalar(value) ?? "\u{FFFD}"
    }
}
