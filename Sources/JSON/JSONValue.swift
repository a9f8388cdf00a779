/// A JSON document or value, as read by `JSONValue.parse` and written by `serialized(_:)`.
///
/// Object members keep their file order (and a parsed object never has two members with the same key); numbers
/// keep their literal text, so integers of any size stay exact and `1` stays apart from `1.0` (Python reads the
/// first as an int, the second as a float). Equality compares what is written: `.number("1")` differs from
/// `.number("1.0")`, and objects with the same members in another order differ.
public enum JSONValue: Hashable, Sendable {
    /// One `"key": value` pair of an object.
    public struct Member: Hashable, Sendable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    case object([Member])
    case array([JSONValue])
    case string(String)
    /// A number, as its literal text (e.g. `-12`, `3.5e-2`); valid JSON number syntax when parsed, or `NaN`,
    /// `Infinity`, `-Infinity` when parsed with `acceptingNonFiniteNumbers`.
    case number(String)
    case bool(Bool)
    case null

    /// An integer number.
    public init(_ value: Int) {
        self = .number(String(value))
    }

    /// A number in Swift's shortest form that reads back to the same `Double` (`0.1`, `1e-05`, `1.0`, which
    /// Python's `repr` matches); `null` when not finite, since JSON has no NaN or infinity.
    public init(_ value: Double) {
        self = value.isFinite ? .number(value.description) : .null
    }

    /// A number in its shortest form that reads back to the same `Float`; `null` when not finite.
    public init(_ value: Float) {
        self = value.isFinite ? .number(value.description) : .null
    }

    public init(_ value: String) {
        self = .string(value)
    }

    public init(_ value: Bool) {
        self = .bool(value)
    }

    /// A short name of the value's kind, for error messages ("an object", "a number", ...).
    public var kindName: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    /// The value itself if it is a number, string or boolean, else its kind; for error messages, so a long
    /// number or string is cut to a short excerpt.
    public var summary: String {
        switch self {
        case .number(let text): text.errorExcerpt()
        case .string(let text): JSONValue.quoted(text.errorExcerpt())
        case .bool(let value): String(value)
        default: kindName
        }
    }

    /// The value of the first member named `key`; `nil` if there is none or this is not an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The members, if this is an object.
    public var members: [Member]? {
        if case .object(let members) = self { members } else { nil }
    }

    /// The elements, if this is an array.
    public var elements: [JSONValue]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    public var stringValue: String? {
        if case .string(let text) = self { text } else { nil }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    public var isNull: Bool { self == .null }

    /// Whether this is a number written without fraction or exponent (what Python reads as an `int`).
    public var isIntegerLiteral: Bool {
        guard case .number(let text) = self else { return false }
        return !text.contains { $0 == "." || $0 == "e" || $0 == "E" }
    }

    /// The value as an exact integer: a number literal without fraction or exponent that fits in `Int`.
    public var integerValue: Int? {
        if case .number(let text) = self { Int(text) } else { nil }
    }

    /// Any number, rounded to the nearest `Double` (huge literals give infinity).
    public var doubleValue: Double? {
        if case .number(let text) = self { Double(text) } else { nil }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self.init(value) }
    public init(floatLiteral value: Double) { self.init(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }

    /// An object with the members in the order written.
    public init(dictionaryLiteral members: (String, JSONValue)...) {
        self = .object(members.map { Member(key: $0, value: $1) })
    }
}
