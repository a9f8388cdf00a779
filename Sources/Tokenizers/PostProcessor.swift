/// The post-processor stage: which special tokens surround one sequence or a pair, and the type id of each part
/// (Hugging Face `TemplateProcessing`; `BertProcessing` and "no post-processor" are fixed templates of it).
public struct PostProcessor: Sendable, Equatable {
    /// One element of a template.
    public enum Piece: Sendable, Equatable {
        /// The special token registered under this name in `specialTokens`.
        case special(name: String, typeId: Int32)
        /// The tokens of the first (`0`) or second (`1`) sequence.
        case sequence(index: Int, typeId: Int32)
    }

    /// What a special-token name expands to (usually one id).
    public struct SpecialToken: Sendable, Equatable {
        public var ids: [Int32]
        public var tokens: [String]

        public init(ids: [Int32], tokens: [String]) {
            self.ids = ids
            self.tokens = tokens
        }
    }

    public let single: [Piece]
    public let pair: [Piece]
    public let specialTokens: [String: SpecialToken]

    /// A template with its special-token names resolved, so that encoding does no dictionary look-up.
    private struct Layout: Sendable, Equatable {
        struct Part: Sendable, Equatable {
            /// The sequence (0 or 1) this part stands for, or nil for special tokens.
            var sequenceIndex: Int?
            var typeId: Int32
            var specialIds: [Int32] = []
            var specialTokens: [String] = []
        }

        var parts: [Part]
        var addedTokenCount: Int

        init(_ pieces: [Piece], specialTokens: [String: SpecialToken]) {
            parts = pieces.map { piece in
                switch piece {
                case .special(let name, let typeId):
                    let special = specialTokens[name] ?? SpecialToken(ids: [], tokens: [])
                    return Part(
                        sequenceIndex: nil, typeId: typeId, specialIds: special.ids, specialTokens: special.tokens)
                case .sequence(let index, let typeId):
                    return Part(sequenceIndex: index, typeId: typeId)
                }
            }
            addedTokenCount = parts.reduce(0) { $0 + $1.specialIds.count }
        }
    }

    private let singleLayout: Layout
    private let pairLayout: Layout

    public init(single: [Piece], pair: [Piece], specialTokens: [String: SpecialToken]) {
        self.single = single
        self.pair = pair
        self.specialTokens = specialTokens
        singleLayout = Layout(single, specialTokens: specialTokens)
        pairLayout = Layout(pair, specialTokens: specialTokens)
    }

    /// BERT's `[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]`, the second sequence and its `[SEP]` with type id 1.
    public static func bert(cls: (token: String, id: Int32), sep: (token: String, id: Int32)) -> PostProcessor {
        PostProcessor(
            single: [
                .special(name: cls.token, typeId: 0), .sequence(index: 0, typeId: 0),
                .special(name: sep.token, typeId: 0),
            ],
            pair: [
                .special(name: cls.token, typeId: 0), .sequence(index: 0, typeId: 0),
                .special(name: sep.token, typeId: 0),
                .sequence(index: 1, typeId: 1), .special(name: sep.token, typeId: 1),
            ],
            specialTokens: [
                cls.token: SpecialToken(ids: [cls.id], tokens: [cls.token]),
                sep.token: SpecialToken(ids: [sep.id], tokens: [sep.token]),
            ])
    }

    /// No special tokens; every token has type id 0 (Hugging Face's behaviour without a post-processor).
    public static let none = PostProcessor(
        single: [.sequence(index: 0, typeId: 0)],
        pair: [.sequence(index: 0, typeId: 0), .sequence(index: 1, typeId: 0)],
        specialTokens: [:])

    /// How many tokens the template adds around one sequence or a pair.
    public func addedTokenCount(pair isPair: Bool) -> Int {
        (isPair ? pairLayout : singleLayout).addedTokenCount
    }

    /// Lays out the sequences per the template; `tokenStrings` gives each id's string.
    func assemble(_ first: TokenSequence, _ second: TokenSequence?, tokenStrings: [String]) -> Encoding {
        let layout = second == nil ? singleLayout : pairLayout
        let length = first.count + (second?.count ?? 0) + layout.addedTokenCount
        var ids: [Int32] = []
        var typeIds: [Int32] = []
        var specialMask: [Int32] = []
        var tokens: [String] = []
        var offsets: [Range<Int>] = []
        ids.reserveCapacity(length)
        typeIds.reserveCapacity(length)
        specialMask.reserveCapacity(length)
        tokens.reserveCapacity(length)
        offsets.reserveCapacity(length)
        for part in layout.parts {
            guard let index = part.sequenceIndex else {
                ids.append(contentsOf: part.specialIds)
                tokens.append(contentsOf: part.specialTokens)
                offsets.append(contentsOf: repeatElement(0..<0, count: part.specialIds.count))
                typeIds.append(contentsOf: repeatElement(part.typeId, count: part.specialIds.count))
                specialMask.append(contentsOf: repeatElement(1, count: part.specialIds.count))
                continue
            }
            guard let sequence = index == 0 ? first : second else { continue }
            ids.append(contentsOf: sequence.ids)
            offsets.append(contentsOf: sequence.offsets)
            for id in sequence.ids {
                tokens.append(id >= 0 && Int(id) < tokenStrings.count ? tokenStrings[Int(id)] : "")
            }
            typeIds.append(contentsOf: repeatElement(part.typeId, count: sequence.count))
            specialMask.append(contentsOf: repeatElement(0, count: sequence.count))
        }
        return Encoding(
            ids: ids, typeIds: typeIds, attentionMask: Array(repeating: 1, count: ids.count),
            specialTokensMask: specialMask, tokens: tokens, offsets: offsets)
    }
}
