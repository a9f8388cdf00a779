/// The WordPiece model: the vocabulary and greedy longest-match-first segmentation of a word into pieces, the
/// pieces after the first carrying the continuation prefix (`##`).
public struct WordPieceModel: Sendable {
    /// Token strings by id (an empty string for an id the vocabulary does not use).
    public let tokens: [String]
    /// The token that replaces a word that is too long or cannot be segmented.
    public let unknownToken: String
    public let unknownId: Int32
    /// The prefix of pieces that continue a word.
    public let continuingSubwordPrefix: String
    /// Words with more normalized characters than this become the unknown token.
    public let maxInputCharsPerWord: Int

    /// Every token, for the first piece of a word.
    let wordStartTable: TokenTable
    /// Tokens that start with the prefix, stored without it, for the following pieces.
    let continuationTable: TokenTable

    /// Builds the model from `(token, id)` pairs; `file` names the source in errors.
    init(
        vocabulary: [(token: String, id: Int)], unknownToken: String, continuingSubwordPrefix: String,
        maxInputCharsPerWord: Int, file: String
    ) throws(TokenizerError) {
        guard let largestId = vocabulary.map(\.id).max() else {
            throw .invalidValue(file: file, key: "vocab", reason: "the vocabulary is empty")
        }
        guard vocabulary.allSatisfy({ $0.id >= 0 && $0.id < Int(Int32.max) }) else {
            throw .invalidValue(file: file, key: "vocab", reason: "token ids must lie in 0..<\(Int32.max)")
        }
        guard maxInputCharsPerWord > 0 else {
            throw .invalidValue(
                file: file, key: "max_input_chars_per_word", reason: "must be positive, not \(maxInputCharsPerWord)")
        }
        var tokens = Array(repeating: "", count: largestId + 1)
        var wordStart = TokenTable(capacity: vocabulary.count)
        let prefix = Array(continuingSubwordPrefix.utf8)
        var continuation = TokenTable(capacity: prefix.isEmpty ? vocabulary.count : vocabulary.count / 4)
        for (token, id) in vocabulary {
            tokens[id] = token
            let bytes = Array(token.utf8)
            wordStart.insert(bytes, id: Int32(id))
            if bytes.starts(with: prefix) { continuation.insert(bytes[prefix.count...], id: Int32(id)) }
        }
        let unknownId = wordStart.lookup(Array(unknownToken.utf8))
        guard unknownId >= 0 else { throw .missingToken(file: file, token: unknownToken, role: "unknown") }
        self.tokens = tokens
        self.unknownToken = unknownToken
        self.unknownId = unknownId
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
        self.wordStartTable = wordStart
        self.continuationTable = continuation
    }

    /// The id of `token`, if it is in the vocabulary.
    public func id(of token: String) -> Int32? {
        let id = wordStartTable.lookup(Array(token.utf8))
        return id >= 0 ? id : nil
    }

    /// Appends the pieces of `word` to `output`, each with the original code-point range it covers.
    @inline(__always)
    func segment(_ word: borrowing WordBuffer, into output: inout TokenSequence) {
        let charCount = word.charCount
        guard charCount <= maxInputCharsPerWord else {
            output.append(unknownId, word.firstOrigin..<(word.lastOrigin + 1))
            return
        }
        let rollbackCount = output.ids.count
        let bytes = word.bytes
        let charEnds = word.charEnds
        let hashes = word.prefixHashes
        var start = 0
        while start < charCount {
            let startByte = start == 0 ? 0 : charEnds[start - 1]
            let isContinuation = start > 0
            // Hash every candidate once, growing one character at a time; candidates longer than the longest
            // token cannot match.
            let longest = isContinuation ? continuationTable.maxKeyLength : wordStartTable.maxKeyLength
            var hash = TokenTable.emptyHash
            var byte = startByte
            var candidateEnd = start
            while candidateEnd < charCount && charEnds[candidateEnd] - startByte <= longest {
                while byte < charEnds[candidateEnd] {
                    hash = TokenTable.hash(hash, appending: bytes[byte])
                    byte += 1
                }
                hashes[candidateEnd] = hash
                candidateEnd += 1
            }
            var foundId: Int32 = -1
            while candidateEnd > start {
                let last = candidateEnd - 1
                let length = charEnds[last] - startByte
                foundId =
                    isContinuation
                    ? continuationTable.lookup(hash: hashes[last], bytes: bytes + startByte, length: length)
                    : wordStartTable.lookup(hash: hashes[last], bytes: bytes + startByte, length: length)
                if foundId >= 0 { break }
                candidateEnd -= 1
            }
            guard foundId >= 0 else {
                output.removeLast(output.ids.count - rollbackCount)
                output.append(unknownId, word.firstOrigin..<(word.lastOrigin + 1))
                return
            }
            output.append(foundId, word.origins[start]..<(word.origins[candidateEnd - 1] + 1))
            start = candidateEnd
        }
    }
}
