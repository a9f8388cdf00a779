/// The class names of a classification task, in class-index order (name at position `i` is class `i`).
///
/// Build one from a model's `id2label`, from an explicit list, or let ``LabelledTextReader`` build it from the
/// training file; then pass the same set when reading the evaluation file so both use the same indices.
public struct LabelSet: Sendable, Hashable {
    /// Class names; `names[i]` is the name of class `i`.
    public let names: [String]
    private let indexByName: [String: Int]

    /// Creates a label set from names in class-index order. Names must be unique and non-empty.
    public init(names: [String]) throws(LabelSetError) {
        guard !names.isEmpty else { throw .empty }
        var indexByName: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            guard !name.isEmpty else { throw .emptyName(index: index) }
            guard indexByName.updateValue(index, forKey: name) == nil else { throw .duplicateName(name) }
        }
        self.names = names
        self.indexByName = indexByName
    }

    /// Creates a label set from an `id2label` map (as in a Hugging Face `config.json`); the ids must be exactly
    /// `0..<count`.
    public init(id2label: [Int: String]) throws(LabelSetError) {
        var names: [String] = []
        names.reserveCapacity(id2label.count)
        for id in 0..<id2label.count {
            guard let name = id2label[id] else { throw .nonContiguousIDs(id2label.keys.sorted()) }
            names.append(name)
        }
        try self.init(names: names)
    }

    /// The number of classes.
    public var count: Int { names.count }

    /// The map from class index to name, as stored in a Hugging Face `config.json`.
    public var id2label: [Int: String] {
        Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0.offset, $0.element) })
    }

    /// The class index of `name`, or `nil` if the set has no such name.
    public func index(of name: String) -> Int? { indexByName[name] }

    /// The name of class `index`, or `nil` if it is out of range.
    public func name(of index: Int) -> String? { names.indices.contains(index) ? names[index] : nil }

    public static func == (lhs: LabelSet, rhs: LabelSet) -> Bool { lhs.names == rhs.names }
    public func hash(into hasher: inout Hasher) { hasher.combine(names) }
}

/// Why a list of class names cannot form a ``LabelSet``.
public enum LabelSetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No names were given.
    case empty
    /// The name at this class index is empty.
    case emptyName(index: Int)
    /// The same name appears twice.
    case duplicateName(String)
    /// The `id2label` keys are not `0..<count`.
    case nonContiguousIDs([Int])

    public var description: String {
        switch self {
        case .empty: return "label set has no labels"
        case .emptyName(let index): return "label \(index) has an empty name"
        case .duplicateName(let name): return "label name '\(name)' appears more than once"
        case .nonContiguousIDs(let ids): return "id2label ids must be 0..<count, got \(ids)"
        }
    }
}
