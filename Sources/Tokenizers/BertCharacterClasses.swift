/// The character classes of the Hugging Face BERT normalizer and pre-tokenizer, reproduced exactly.
///
/// `tokenizers` takes "control", "punctuation" and "non-spacing mark" from the `unicode_categories` crate, whose
/// tables were generated from Unicode 8.0, and canonical decompositions and combining classes from
/// `unicode-normalization-alignments`, whose tables are Unicode 9.0: a scalar assigned later is in none of those
/// tables, so the same cut-offs are applied here through `Unicode.Scalar.Properties.age`. Whitespace and
/// lower-casing come from the Rust standard library, which follows current Unicode, as Swift's does. A few
/// scalars changed category after Unicode 8.0: `generalCategory` gives them back their Unicode 8.0 category.
enum BertCharacterClasses {
    /// Whether the scalar was assigned in Unicode 8.0 or earlier (the version of the category tables).
    static func isInCategoryTables(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < 8 || (age.major == 8 && age.minor == 0)
    }

    /// Whether the scalar was assigned in Unicode 9.0 or earlier (the version of the normalization tables).
    static func isInNormalizationTables(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < 9 || (age.major == 9 && age.minor == 0)
    }

    /// The scalar's general category in Unicode 8.0 for the scalars whose change since then moves them in or out
    /// of a class above (found by comparing every code point with Hugging Face: scripts/hf-code-points.py), and
    /// its current category otherwise.
    @inline(__always)
    static func generalCategory(_ scalar: Unicode.Scalar) -> Unicode.GeneralCategory {
        switch scalar.value {
        case 0x166D, 0x111C9: return .otherPunctuation  // Canadian syllabics chi sign, Sharada sandhi mark
        case 0x1734, 0x1171E: return .nonspacingMark  // Hanunoo sign pamudpod, Ahom consonant sign medial ra
        case 0x1885, 0x1886: return .otherLetter  // Mongolian letters ali gali baluda and three baluda
        case 0xA9BD: return .spacingMark  // Javanese consonant sign keret
        default: return scalar.properties.generalCategory
        }
    }

    /// The canonical combining class that orders combining marks in NFD (0 for starters).
    @inline(__always)
    static func combiningClass(_ scalar: Unicode.Scalar) -> UInt8 {
        // Every scalar below U+0300 is a starter.
        guard scalar.value >= 0x300, isInNormalizationTables(scalar) else { return 0 }
        return scalar.properties.canonicalCombiningClass.rawValue
    }

    /// BERT's "control": categories Cc, Cf and Co, except tab, newline and carriage return (whitespace instead).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        default: break
        }
        switch generalCategory(scalar) {
        case .control, .privateUse: return true
        case .format: return isInCategoryTables(scalar)
        default: return false
        }
    }

    /// Rust's `char::is_whitespace` (the Unicode White_Space property).
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace
    }

    /// BERT's punctuation: ASCII 33-47, 58-64, 91-96, 123-126, or any Unicode P* category.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (33...47).contains(value) || (58...64).contains(value)
                || (91...96).contains(value) || (123...126).contains(value)
        }
        switch generalCategory(scalar) {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return isInCategoryTables(scalar)
        default:
            return false
        }
    }

    /// Category Mn, removed when stripping accents.
    static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        generalCategory(scalar) == .nonspacingMark && isInCategoryTables(scalar)
    }

    /// The CJK ideograph blocks that BERT surrounds with spaces (the ranges of the original BERT code as
    /// `tokenizers` spells them, including its 0x2B920 start for Extension E).
    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
            0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
