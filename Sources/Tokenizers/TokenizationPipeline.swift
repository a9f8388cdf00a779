/// Normalizer, pre-tokenizer and model run as one pass over the UTF-8 bytes of a text: each original scalar is
/// normalized on its own, each normalized scalar goes to the current word or ends it, and each finished word is
/// segmented by WordPiece. Every normalized character remembers the index of the original scalar it came from,
/// which gives the offsets into the original text.
///
/// The one step that spans characters is NFD's canonical ordering of combining marks. It is done as
/// `tokenizers` does it: marks wait for the next starter, are stably sorted by combining class, and then take the
/// original positions in the order the unsorted marks had (alignment follows position, not the mark).
///
/// A class rather than a struct so that the closures of `tokenize` capture one reference instead of copying
/// (and retaining) every table.
final class TokenizationPipeline: Sendable {
    let normalizer: BertNormalizer
    let preTokenizer: BertPreTokenizer
    let model: WordPieceModel
    let addedTokens: AddedTokenMatcher

    /// What the normalizer and pre-tokenizer make of an ASCII byte, precomputed from the general path.
    private struct ASCIIAction: Sendable {
        enum Kind: UInt8 { case removed, separator, punctuation, wordCharacter }
        var kind: Kind
        /// The normalized byte (lower-cased when lower-casing).
        var byte: UInt8
    }

    private let asciiActions: [ASCIIAction]

    init(normalizer: BertNormalizer, preTokenizer: BertPreTokenizer, model: WordPieceModel, addedTokens: [AddedToken]) {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.addedTokens = AddedTokenMatcher(addedTokens)
        asciiActions = (0..<128).map { value in
            let scalar = Unicode.Scalar(UInt8(value))
            switch normalizer.disposition(of: scalar) {
            case .removed: return ASCIIAction(kind: .removed, byte: 0)
            case .whitespace: return ASCIIAction(kind: .separator, byte: 0x20)
            case .isolated, .kept: break
            }
            // An ASCII scalar is its own decomposition, a starter, and lower-cases to one ASCII scalar.
            var normalized = scalar
            normalizer.forEachFinalScalar(of: scalar) { normalized = $0 }
            let byte = UInt8(truncatingIfNeeded: normalized.value)
            switch preTokenizer.role(of: normalized) {
            case .separator: return ASCIIAction(kind: .separator, byte: byte)
            case .punctuation: return ASCIIAction(kind: .punctuation, byte: byte)
            case .wordCharacter: return ASCIIAction(kind: .wordCharacter, byte: byte)
            }
        }
    }

    /// The tokens of `text`, with offsets in code points of `text`.
    func tokenize(_ text: String) -> TokenSequence {
        var text = text
        return text.withUTF8 { utf8 in
            let capacity = model.maxInputCharsPerWord
            return withUnsafeTemporaryAllocation(byteCount: WordBuffer.byteCount(capacity: capacity), alignment: 8) {
                scratch in
                guard let memory = scratch.baseAddress else { return TokenSequence() }
                var state = State(word: WordBuffer(memory: memory, capacity: capacity))
                state.output.ids.reserveCapacity(utf8.count / 3 + 2)
                state.output.offsets.reserveCapacity(utf8.count / 3 + 2)
                run(utf8, &state)
                return state.output
            }
        }
    }

    /// The mutable side of tokenizing one text.
    private struct State {
        var word: WordBuffer
        var output = TokenSequence()
        /// Combining marks from NFD waiting for the next starter.
        var pendingMarks: [PendingMark] = []
        /// The original index given to the last scalar placed (what a non-first scalar of a decomposition gets).
        var lastOrigin = 0
        /// `!pendingMarks.isEmpty`, kept apart because the ASCII loop tests it for every byte.
        var hasPendingMarks = false
    }

    private struct PendingMark {
        var scalar: Unicode.Scalar
        var combiningClass: UInt8
        /// Whether this is the first scalar of its character's decomposition (which consumes that character's
        /// original position).
        var isFirst: Bool
        var sourceOrigin: Int
    }

    private func run(_ utf8: UnsafeBufferPointer<UInt8>, _ state: inout State) {
        asciiActions.withUnsafeBufferPointer { actions in
            var index = 0
            var origin = 0  // index of the current scalar in the original text
            while index < utf8.count {
                let byte = utf8[index]
                if addedTokens.mayStartMatch(byte), let match = addedTokens.match(in: utf8, at: index) {
                    finishWord(&state)
                    state.output.append(match.id, origin..<(origin + match.scalarCount))
                    index += match.byteCount
                    origin += match.scalarCount
                    continue
                }
                if byte < 0x80 {
                    let action = actions[Int(byte)]
                    if state.hasPendingMarks && action.kind != .removed { placePendingMarks(&state) }
                    switch action.kind {
                    case .wordCharacter:
                        state.word.append(ascii: action.byte, origin: origin)
                    case .separator:
                        finishWord(&state)
                    case .punctuation:
                        finishWord(&state)
                        state.word.append(ascii: action.byte, origin: origin)
                        finishWord(&state)
                    case .removed:
                        break
                    }
                    index += 1
                } else {
                    let (scalar, length) = Self.decodeScalar(utf8, at: index)
                    addNonASCII(scalar, origin: origin, &state)
                    index += length
                }
                origin += 1
            }
            finishWord(&state)
        }
    }

    /// Segments the word being built, after placing any marks still waiting (the word cannot continue past the
    /// point where this is called).
    @inline(__always)
    private func finishWord(_ state: inout State) {
        if state.hasPendingMarks { placePendingMarks(&state) }
        guard !state.word.isEmpty else { return }
        model.segment(state.word, into: &state.output)
        state.word.removeAll()
    }

    /// The general path, for any scalar outside ASCII.
    @inline(never)
    private func addNonASCII(_ scalar: Unicode.Scalar, origin: Int, _ state: inout State) {
        let disposition = normalizer.disposition(of: scalar)
        switch disposition {
        case .removed:
            return
        case .whitespace:
            finishWord(&state)
            return
        case .isolated:
            finishWord(&state)
        case .kept:
            break
        }
        normalizer.forEachDecomposedScalar(of: scalar) { part, isFirst in
            let combiningClass = normalizer.stripsAccents ? BertCharacterClasses.combiningClass(part) : 0
            if combiningClass == 0 {
                if state.hasPendingMarks { placePendingMarks(&state) }
                if isFirst { state.lastOrigin = origin }
                place(part, origin: state.lastOrigin, &state)
            } else {
                state.pendingMarks.append(
                    PendingMark(scalar: part, combiningClass: combiningClass, isFirst: isFirst, sourceOrigin: origin))
                state.hasPendingMarks = true
            }
        }
        if case .isolated = disposition { finishWord(&state) }
    }

    /// Sorts the waiting marks by combining class (stably) and places them, handing out the original positions of
    /// their characters in the order those characters came.
    private func placePendingMarks(_ state: inout State) {
        var marks = state.pendingMarks
        state.pendingMarks.removeAll(keepingCapacity: true)
        state.hasPendingMarks = false
        let origins = marks.filter(\.isFirst).map(\.sourceOrigin)
        // Insertion sort: stable, and runs of combining marks are short.
        for index in marks.indices.dropFirst() {
            let mark = marks[index]
            var position = index
            while position > 0 && marks[position - 1].combiningClass > mark.combiningClass {
                marks[position] = marks[position - 1]
                position -= 1
            }
            marks[position] = mark
        }
        var nextOrigin = 0
        for mark in marks {
            if mark.isFirst {
                state.lastOrigin = origins[nextOrigin]
                nextOrigin += 1
            }
            place(mark.scalar, origin: state.lastOrigin, &state)
        }
    }

    /// Drops or lower-cases a decomposed scalar and hands the result to the pre-tokenizer.
    private func place(_ scalar: Unicode.Scalar, origin: Int, _ state: inout State) {
        normalizer.forEachFinalScalar(of: scalar) { normalized in
            switch preTokenizer.role(of: normalized) {
            case .separator:
                segmentWord(&state)
            case .punctuation:
                segmentWord(&state)
                state.word.append(normalized, origin: origin)
                segmentWord(&state)
            case .wordCharacter:
                state.word.append(normalized, origin: origin)
            }
        }
    }

    /// Segments the word being built (marks still waiting belong after it and stay waiting).
    @inline(__always)
    private func segmentWord(_ state: inout State) {
        guard !state.word.isEmpty else { return }
        model.segment(state.word, into: &state.output)
        state.word.removeAll()
    }

    /// Decodes the scalar whose first byte is at `index` of valid UTF-8 (which every Swift string holds).
    @inline(__always)
    private static func decodeScalar(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar, Int) {
        let lead = UInt32(utf8[index])
        let value: UInt32
        let length: Int
        if lead < 0xE0 {
            value = (lead & 0x1F) << 6 | UInt32(utf8[index + 1] & 0x3F)
            length = 2
        } else if lead < 0xF0 {
            value = (lead & 0x0F) << 12 | UInt32(utf8[index + 1] & 0x3F) << 6 | UInt32(utf8[index + 2] & 0x3F)
            length = 3
        } else {
            value =
                (lead & 0x07) << 18 | UInt32(utf8[index + 1] & 0x3F) << 12
                | UInt32(utf8[index + 2] & 0x3F) << 6 | UInt32(utf8[index + 3] & 0x3F)
            length = 4
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }
}
