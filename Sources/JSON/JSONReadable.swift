/// A Swift type that a `JSONValue` can be read as, for `JSONNode`'s typed accessors.
public protocol JSONReadable {
    /// The kind expected, for error messages ("an integer").
    static var expectedKind: String { get }
    /// The value as this type, or `nil` if it is of another kind.
    init?(json: JSONValue)
}

extension JSONValue: JSONReadable {
    public static var expectedKind: String { "a JSON value" }
    public init?(json: JSONValue) { self = json }
}

extension String: JSONReadable {
    public static var expectedKind: String { "a string" }
    public init?(json: JSONValue) {
        guard let text = json.stringValue else { return nil }
        self = text
    }
}

extension Bool: JSONReadable {
    public static var expectedKind: String { "a boolean" }
    public init?(json: JSONValue) {
        guard let value = json.boolValue else { return nil }
        self = value
    }
}

extension Int: JSONReadable {
    /// Only a number written as an integer (no fraction or exponent) that fits.
    public static var expectedKind: String { "an integer" }
    public init?(json: JSONValue) {
        guard let value = json.integerValue else { return nil }
        self = value
    }
}

extension Double: JSONReadable {
    /// Any number, integers included.
    public static var expectedKind: String { "a number" }
    public init?(json: JSONValue) {
        guard let value = json.doubleValue else { return nil }
        self = value
    }
}

extension Array: JSONReadable where Element: JSONReadable {
    public static var expectedKind: String { "an array of " + pluralNoun(Element.expectedKind) }
    public init?(json: JSONValue) {
        guard let elements = json.elements else { return nil }
        var result: [Element] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard let converted = Element(json: element) else { return nil }
            result.append(converted)
        }
        self = result
    }
}

extension Dictionary: JSONReadable where Key == String, Value: JSONReadable {
    public static var expectedKind: String { "an object of " + pluralNoun(Value.expectedKind) }
    public init?(json: JSONValue) {
        guard let members = json.members else { return nil }
        var result: [String: Value] = [:]
        for member in members {
            guard let converted = Value(json: member.value) else { return nil }
            result[member.key] = converted
        }
        self = result
    }
}

/// "an integer" -> "integers", for the kinds of containers.
private func pluralNoun(_ kind: String) -> String {
    (kind.split(separator: " ", maxSplits: 1).last.map(String.init) ?? kind) + "s"
}
