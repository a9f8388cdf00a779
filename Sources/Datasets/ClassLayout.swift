/// How the classification labels of a file map to class indices.
///
/// With a label set from the caller, a label is one of its names or, failing that, an integer index into it
/// (so a set whose names look like numbers, such as star ratings "1"..."5", maps by name). Without one, the
/// classes come from the file, which labels its rows either with integer class indices (classes "0"..."largest
/// index") or with names (classes in sorted order, as Hugging Face's `run_glue` sorts them): the kind most
/// labelled rows use is the file's (on a tie, the first row's), and a row of the other kind is a data error,
/// not a class of its own.
enum ClassLayout {
    /// The caller's class names.
    case given(LabelSet)
    /// The file's labels are class indices in `0..<count`; one at or above `limit` is a data error.
    case fileIndices(count: Int, limit: Int)
    /// The file's labels are names.
    case fileNames(LabelSet)

    /// Class indices read from a file must be below this or the number of labelled rows, whichever is larger:
    /// a class index far beyond the row count names classes no row has (a typo or garbage), and building a class
    /// name per index up to it could exhaust memory.
    static let minimumIndexLimit = 1000

    /// The layout implied by a file's labels (as matched by ``LabelResolver``, empty ones left out).
    static func implied(byLabels names: some Sequence<String>) -> ClassLayout {
        var namedClasses = Set<String>()
        var integers: [Int] = []  // those that fit in `Int`; checked against the limit once the rows are counted
        var (indexRows, nameRows) = (0, 0)
        var firstIsIndex: Bool?
        for name in names {
            let isIndex = isInteger(name)
            firstIsIndex = firstIsIndex ?? isIndex
            if isIndex {
                indexRows += 1
                if let index = Int(name) { integers.append(index) }
            } else {
                nameRows += 1
                namedClasses.insert(name)
            }
        }
        let usesNames = indexRows == nameRows ? firstIsIndex == false : nameRows > indexRows
        if usesNames, let labelSet = try? LabelSet(names: namedClasses.sorted()) { return .fileNames(labelSet) }
        let limit = max(indexRows + nameRows, minimumIndexLimit)
        // Negative indices are errors of their rows, not a negative class count.
        let largest = integers.lazy.filter { $0 < limit }.max() ?? -1
        return .fileIndices(count: max(largest + 1, 0), limit: limit)
    }

    /// The class names; `nil` for a file without usable labels.
    var labelSet: LabelSet? {
        switch self {
        case .given(let labelSet), .fileNames(let labelSet): labelSet
        case .fileIndices(let count, _): try? LabelSet(names: (0..<count).map(String.init))
        }
    }

    /// The class index of the non-empty label `name`.
    func index(of name: String) throws(DatasetError.Reason) -> Int {
        switch self {
        case .given(let labelSet):
            if let index = labelSet.index(of: name) { return index }
            guard let index = Int(name) else { throw .unknownLabel(name, known: labelSet.names) }
            guard labelSet.names.indices.contains(index) else {
                throw .labelIndexOutOfRange(index, classCount: labelSet.count)
            }
            return index
        case .fileIndices(let count, let limit):
            guard Self.isInteger(name) else { throw .notAClassIndex(name, classCount: count) }
            guard let index = Int(name), index < limit else { throw .classIndexTooLarge(name, limit: limit) }
            guard (0..<count).contains(index) else { throw .labelIndexOutOfRange(index, classCount: count) }
            return index
        case .fileNames(let labelSet):
            if let index = labelSet.index(of: name) { return index }
            guard Self.isInteger(name) else { throw .unknownLabel(name, known: labelSet.names) }
            throw .integerAmongNamedLabels(name, names: labelSet.names)
        }
    }

    /// Whether `name` is written as an integer (an optional sign and decimal digits), however large.
    private static func isInteger(_ name: String) -> Bool {
        var digits = Substring(name).utf8[...]
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
