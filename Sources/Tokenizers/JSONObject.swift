import Foundation

/// Typed reading of one JSON object (as parsed by `JSONSerialization`), whose errors name the file and the
/// key path at fault.
struct JSONObject {
    let values: [String: Any]
    /// The file the object comes from, for error messages.
    let file: String
    /// Where the object sits in the file (`""` for the top level, e.g. `"model"` below it).
    let path: String

    init(values: [String: Any], file: String, path: String = "") {
        self.values = values
        self.file = file
        self.path = path
    }

    /// Parses `data` (the contents of `file`) as a JSON object.
    static func parse(_ data: Data, file: String) throws(TokenizerError) -> JSONObject {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw .malformedJSON(file: file, reason: error.localizedDescription)
        }
        guard let values = parsed as? [String: Any] else {
            throw .malformedJSON(file: file, reason: "the top level is not an object")
        }
        return JSONObject(values: values, file: file)
    }

    /// The key path of `key` inside this object, as error messages show it.
    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether `key` is absent or JSON `null`.
    func isNull(_ key: String) -> Bool { values[key] == nil || values[key] is NSNull }

    private func wrongKind(_ key: String, _ expected: String) -> TokenizerError {
        .invalidValue(file: file, key: keyPath(key), reason: "expected \(expected)")
    }

    func string(_ key: String) throws(TokenizerError) -> String {
        guard let value = try optionalString(key) else { throw .missingKey(file: file, key: keyPath(key)) }
        return value
    }

    func optionalString(_ key: String) throws(TokenizerError) -> String? {
        if isNull(key) { return nil }
        guard let value = values[key] as? String else { throw wrongKind(key, "a string") }
        return value
    }

    func optionalBool(_ key: String) throws(TokenizerError) -> Bool? {
        if isNull(key) { return nil }
        guard let number = values[key] as? NSNumber, Self.isBoolean(number) else {
            throw wrongKind(key, "true or false")
        }
        return number.boolValue
    }

    func int(_ key: String) throws(TokenizerError) -> Int {
        guard let value = try optionalInt(key) else { throw .missingKey(file: file, key: keyPath(key)) }
        return value
    }

    /// An integer, or nil when absent or null. Integers too large for `Int` (transformers writes 1e30 for "no
    /// limit") are also read as nil.
    func optionalInt(_ key: String) throws(TokenizerError) -> Int? {
        if isNull(key) { return nil }
        guard let number = values[key] as? NSNumber, !Self.isBoolean(number) else { throw wrongKind(key, "an integer") }
        let double = number.doubleValue
        guard double.rounded() == double else { throw wrongKind(key, "an integer") }
        guard abs(double) < 9.0e18 else { return nil }
        return number.intValue
    }

    func object(_ key: String) throws(TokenizerError) -> JSONObject {
        guard let value = try optionalObject(key) else { throw .missingKey(file: file, key: keyPath(key)) }
        return value
    }

    func optionalObject(_ key: String) throws(TokenizerError) -> JSONObject? {
        if isNull(key) { return nil }
        guard let value = values[key] as? [String: Any] else { throw wrongKind(key, "an object") }
        return JSONObject(values: value, file: file, path: keyPath(key))
    }

    /// The elements of an array of objects.
    func objects(_ key: String) throws(TokenizerError) -> [JSONObject] {
        guard let array = try optionalArray(key) else { throw .missingKey(file: file, key: keyPath(key)) }
        var result: [JSONObject] = []
        for (index, element) in array.enumerated() {
            guard let value = element as? [String: Any] else { throw wrongKind("\(key)[\(index)]", "an object") }
            result.append(JSONObject(values: value, file: file, path: keyPath("\(key)[\(index)]")))
        }
        return result
    }

    func optionalArray(_ key: String) throws(TokenizerError) -> [Any]? {
        if isNull(key) { return nil }
        guard let value = values[key] as? [Any] else { throw wrongKind(key, "an array") }
        return value
    }

    /// A special token written either as a plain string or as an object with a `content` string (both forms
    /// appear in tokenizer_config.json and special_tokens_map.json).
    func optionalTokenContent(_ key: String) throws(TokenizerError) -> String? {
        if isNull(key) { return nil }
        if let string = values[key] as? String { return string }
        guard let object = try optionalObject(key) else { return nil }
        return try object.string("content")
    }

    private static func isBoolean(_ number: NSNumber) -> Bool {
        // JSONSerialization returns booleans as NSNumber too; their Objective-C type code ("c", a char) is what
        // tells `true` from 1 (integers come back as "i" or "q", other numbers as "d").
        String(cString: number.objCType) == "c"
    }
}
