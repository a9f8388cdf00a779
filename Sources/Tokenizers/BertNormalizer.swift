/// The `BertNormalizer` stage: clean text, isolate CJK ideographs, strip accents (NFD, then drop non-spacing
/// marks), lower-case. Each step maps one scalar to zero or more, which is what lets every normalized scalar keep
/// the index of the original scalar it came from; only NFD's reordering of combining marks spans scalars, and
/// `TokenizationPipeline` does it.
public struct BertNormalizer: Sendable, Equatable {
    /// Remove control characters, NUL and U+FFFD; turn every whitespace character into a space.
    public var cleanText: Bool
    /// Put spaces around CJK ideographs so that each becomes a word.
    public var handleChineseChars: Bool
    /// Decompose (NFD) and drop non-spacing marks; `nil` follows `lowercase`, as in Hugging Face.
    public var stripAccents: Bool?
    /// Lower-case with the full Unicode mapping.
    public var lowercase: Bool

    /// Creates the normalizer; the defaults are those of an uncased BERT.
    public init(
        cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true
    ) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    /// Whether accents are stripped once `nil` is resolved.
    public var stripsAccents: Bool { stripAccents ?? lowercase }

    /// What cleaning and CJK handling make of one original scalar, before accents and case are dealt with.
    enum Disposition {
        /// Removed (a control character, NUL or U+FFFD).
        case removed
        /// Replaced by a space.
        case whitespace
        /// A CJK ideograph: a word of its own.
        case isolated
        /// Kept in the current word.
        case kept
    }

    @inline(__always)
    func disposition(of scalar: Unicode.Scalar) -> Disposition {
        if cleanText {
            if scalar.value == 0 || scalar.value == 0xFFFD || BertCharacterClasses.isControl(scalar) { return .removed }
            if scalar.value == 0x09 || scalar.value == 0x0A || scalar.value == 0x0D
                || BertCharacterClasses.isWhitespace(scalar)
            {
                return .whitespace
            }
        }
        if handleChineseChars && BertCharacterClasses.isChineseCharacter(scalar) { return .isolated }
        return .kept
    }

    /// Calls `body` with each scalar of the canonical decomposition of `scalar` when stripping accents (with
    /// whether it is the first one), or with `scalar` itself. Combining marks still have to be put in canonical
    /// order across characters before `forEachFinalScalar`.
    @inline(__always)
    func forEachDecomposedScalar(of scalar: Unicode.Scalar, _ body: (Unicode.Scalar, _ isFirst: Bool) -> Void) {
        guard stripsAccents else { return body(scalar, true) }
        var isFirst = true
        CanonicalDecomposition.forEachScalar(of: scalar) { part in
            body(part, isFirst)
            isFirst = false
        }
    }

    /// Calls `body` with what is left of a decomposed scalar once non-spacing marks are dropped (when stripping
    /// accents) and the rest is lower-cased: nothing, one scalar, or several.
    @inline(__always)
    func forEachFinalScalar(of scalar: Unicode.Scalar, _ body: (Unicode.Scalar) -> Void) {
        if stripsAccents && BertCharacterClasses.isNonspacingMark(scalar) { return }
        lowercased(scalar, body)
    }

    @inline(__always)
    private func lowercased(_ scalar: Unicode.Scalar, _ body: (Unicode.Scalar) -> Void) {
        guard lowercase else { return body(scalar) }
        if scalar.value < 0x80 {
            let value = scalar.value
            body((0x41...0x5A).contains(value) ? Unicode.Scalar(UInt8(value) | 0x20) : scalar)
        } else if scalar.properties.changesWhenLowercased {
            for part in scalar.properties.lowercaseMapping.unicodeScalars { body(part) }
        } else {
            body(scalar)
        }
    }
}
