import JSON

/// Typed reading of one JSON object of a tokenizer file, whose errors name the file and the key path at fault.
struct JSONObject {
    let node: JSONNode
    /// The file the object comes from, for error messages.
    let file: String

    /// Where the object sits in the file (`""` for the top level, e.g. `"model"` below it).
    var path: String { node.path }

    /// Parses `bytes` (the contents of `file`; a leading byte-order mark is skipped) as a JSON object.
    static func parse(_ bytes: [UInt8], file: String) throws(TokenizerError) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes, skippingByteOrderMark: true)
        } catch {
            throw .malformedJSON(file: file, reason: error.description)
        }
        guard value.members != nil else { throw .malformedJSON(file: file, reason: "the top level is not an object") }
        return JSONObject(node: JSONNode(value), file: file)
    }

    /// The key path of `key` inside this object, as error messages show it.
    func keyPath(_ key: String) -> String { node.keyPath(key) }

    /// Whether `key` is absent or JSON `null`.
    func isNull(_ key: String) -> Bool { node.isNull(key) }

    /// Runs `read` with errors of the JSON layer turned into `TokenizerError`s naming this file.
    private func reading<Value>(_ read: () throws(JSONAccessError) -> Value) throws(TokenizerError) -> Value {
        do {
            return try read()
        } catch {
            switch error.fault {
            case .missing: throw .missingKey(file: file, key: error.path)
            case .wrongKind(let expected, let found):
                throw .invalidValue(file: file, key: error.path, reason: "expected \(expected), found \(found)")
            }
        }
    }

    func string(_ key: String) throws(TokenizerError) -> String {
        try reading { () throws(JSONAccessError) in try node.required(key) }
    }

    func optionalString(_ key: String) throws(TokenizerError) -> String? {
        try reading { () throws(JSONAccessError) in try node.optional(key) }
    }

    func optionalBool(_ key: String) throws(TokenizerError) -> Bool? {
        try reading { () throws(JSONAccessError) in try node.optional(key) }
    }

    func int(_ key: String) throws(TokenizerError) -> Int {
        guard let value = try optionalInt(key) else { throw .missingKey(file: file, key: keyPath(key)) }
        return value
    }

    /// An integer, or nil when absent or null. A number with an integral value written with a fraction or
    /// exponent (`2.0`, `1e3`) counts as an integer; one too large for `Int` (transformers writes 1e30 for "no
    /// limit") is read as nil.
    func optionalInt(_ key: String) throws(TokenizerError) -> Int? {
        guard let member = try reading({ () throws(JSONAccessError) in try node.optionalMember(key) }) else {
            return nil
        }
        return try integer(member)
    }

    /// The members of this object, whose values must all be integers (a vocabulary), in file order.
    func integerMembers() throws(TokenizerError) -> [(key: String, value: Int)] {
        var result: [(key: String, value: Int)] = []
        for (key, member) in try members() {
            guard let value = try integer(member) else {
                throw .invalidValue(file: file, key: member.path, reason: "integer out of range")
            }
            result.append((key, value))
        }
        return result
    }

    /// The members of this object, whose values must all be objects, in file order.
    func objectMembers() throws(TokenizerError) -> [(key: String, object: JSONObject)] {
        var result: [(key: String, object: JSONObject)] = []
        for (key, member) in try members() {
            result.append((key, try object(member)))
        }
        return result
    }

    private func integer(_ node: JSONNode) throws(TokenizerError) -> Int? {
        if let integer = node.value.integerValue { return integer }
        guard let double = node.value.doubleValue, double.rounded() == double else {
            throw .invalidValue(file: file, key: node.path, reason: "expected an integer, found \(node.value.summary)")
        }
        return Int(exactly: double)
    }

    private func object(_ node: JSONNode) throws(TokenizerError) -> JSONObject {
        guard node.value.members != nil else {
            throw .invalidValue(file: file, key: node.path, reason: "expected an object, found \(node.value.kindName)")
        }
        return JSONObject(node: node, file: file)
    }

    func object(_ key: String) throws(TokenizerError) -> JSONObject {
        guard let value = try optionalObject(key) else { throw .missingKey(file: file, key: keyPath(key)) }
        return value
    }

    func optionalObject(_ key: String) throws(TokenizerError) -> JSONObject? {
        guard let member = try reading({ () throws(JSONAccessError) in try node.optionalMember(key) }) else {
            return nil
        }
        return try object(member)
    }

    private func members() throws(TokenizerError) -> [(key: String, node: JSONNode)] {
        try reading { () throws(JSONAccessError) in try node.members() }
    }

    /// The elements of an array of objects.
    func objects(_ key: String) throws(TokenizerError) -> [JSONObject] {
        let elements = try reading { () throws(JSONAccessError) in try node.member(key).elements() }
        var result: [JSONObject] = []
        for element in elements {
            result.append(try object(element))
        }
        return result
    }

    /// The value of `key` as `type`, or nil when absent or null.
    func optional<Value: JSONReadable>(_ key: String, as type: Value.Type) throws(TokenizerError) -> Value? {
        try reading { () throws(JSONAccessError) in try node.optional(key, as: type) }
    }

    /// A special token written either as a plain string or as an object with a `content` string (both forms
    /// appear in tokenizer_config.json and special_tokens_map.json).
    func optionalTokenContent(_ key: String) throws(TokenizerError) -> String? {
        if case .string(let string)? = node.value[key] { return string }
        return try optionalObject(key)?.string("content")
    }
}
