/// A value inside a JSON document together with its key path (`model.vocab`, `added_tokens[2].id`), for
/// typed reading whose errors say where the document is wrong.
public struct JSONNode: Sendable {
    public let value: JSONValue
    /// Where the value sits (`""` for the top level).
    public let path: String

    public init(_ value: JSONValue, path: String = "") {
        self.value = value
        self.path = path
    }

    /// The key path of member `key` of this node.
    public func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether member `key` is absent or `null`.
    public func isNull(_ key: String) -> Bool { value[key]?.isNull ?? true }

    /// Member `key`, or `nil` when it is absent or `null`; an error when this node is not an object.
    public func optionalMember(_ key: String) throws(JSONAccessError) -> JSONNode? {
        guard value.members != nil else {
            throw JSONAccessError(path: path, fault: .wrongKind(expected: "an object", found: value.kindName))
        }
        guard let member = value[key], !member.isNull else { return nil }
        return JSONNode(member, path: keyPath(key))
    }

    /// Member `key`, which must be present and not `null`.
    public func member(_ key: String) throws(JSONAccessError) -> JSONNode {
        guard let node = try optionalMember(key) else { throw JSONAccessError(path: keyPath(key), fault: .missing) }
        return node
    }

    /// This node's value as `type`.
    public func decode<Value: JSONReadable>(as type: Value.Type = Value.self) throws(JSONAccessError) -> Value {
        guard let converted = Value(json: value) else {
            throw JSONAccessError(path: path, fault: .wrongKind(expected: Value.expectedKind, found: value.kindName))
        }
        return converted
    }

    /// Member `key` as `type`; it must be present and not `null`.
    public func required<Value: JSONReadable>(
        _ key: String, as type: Value.Type = Value.self
    ) throws(JSONAccessError) -> Value {
        try member(key).decode(as: type)
    }

    /// Member `key` as `type`, or `nil` when absent or `null`.
    public func optional<Value: JSONReadable>(
        _ key: String, as type: Value.Type = Value.self
    ) throws(JSONAccessError) -> Value? {
        try optionalMember(key)?.decode(as: type)
    }

    /// The members of this object, each with its path, in document order.
    public func members() throws(JSONAccessError) -> [(key: String, node: JSONNode)] {
        guard let members = value.members else {
            throw JSONAccessError(path: path, fault: .wrongKind(expected: "an object", found: value.kindName))
        }
        return members.map { ($0.key, JSONNode($0.value, path: keyPath($0.key))) }
    }

    /// The elements of this array, each with its path (`path[index]`).
    public func elements() throws(JSONAccessError) -> [JSONNode] {
        guard let elements = value.elements else {
            throw JSONAccessError(path: path, fault: .wrongKind(expected: "an array", found: value.kindName))
        }
        return elements.enumerated().map { JSONNode($1, path: "\(path)[\($0)]") }
    }
}

/// A JSON document that does not hold what the reader expects at `path`.
public struct JSONAccessError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Fault: Equatable, Sendable {
        /// The key is absent (or `null` where a value is required).
        case missing
        case wrongKind(expected: String, found: String)
    }

    /// The key path at fault (`model.vocab`, `added_tokens[2].id`).
    public let path: String
    public let fault: Fault

    public init(path: String, fault: Fault) {
        self.path = path
        self.fault = fault
    }

    public var description: String {
        switch fault {
        case .missing: "missing key \"\(path.errorExcerpt())\""
        case .wrongKind(let expected, let found): "\"\(path.errorExcerpt())\": expected \(expected), found \(found)"
        }
    }
}
