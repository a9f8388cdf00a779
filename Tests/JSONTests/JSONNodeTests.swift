import JSON
import Testing

@Suite struct JSONNodeTests {
    let root = JSONNode(["model": ["vocab": ["a": 0, "b": 1.5], "name": "x", "flags": [true, 2]], "none": .null])

    @Test func readsTypedValues() throws {
        let model = try root.member("model")
        #expect(model.path == "model")
        #expect(try model.required("name", as: String.self) == "x")
        #expect(try model.member("vocab").required("a", as: Int.self) == 0)
        #expect(try model.member("vocab").required("a", as: Double.self) == 0)
        #expect(try model.optional("missing", as: String.self) == nil)
        #expect(try root.optional("none", as: Int.self) == nil && root.isNull("none") && root.isNull("absent"))
        #expect(try model.member("vocab").members().map(\.node.path) == ["model.vocab.a", "model.vocab.b"])
        #expect(try model.member("flags").elements().map(\.path) == ["model.flags[0]", "model.flags[1]"])
        #expect(try root.required("model", as: [String: JSONValue].self)["name"] == "x")
        #expect(throws: JSONAccessError(
            path: "model.vocab", fault: .wrongKind(expected: "an object of integers", found: "an object"))) {
            try model.required("vocab", as: [String: Int].self)
        }
    }

    @Test func errorsNameTheKeyPath() throws {
        let model = try root.member("model")
        #expect(throws: JSONAccessError(path: "model.absent", fault: .missing)) { try model.member("absent") }
        #expect(throws: JSONAccessError(path: "none", fault: .missing)) { try root.required("none", as: Int.self) }
        #expect(throws: JSONAccessError(
            path: "model.vocab.b", fault: .wrongKind(expected: "an integer", found: "a number"))) {
            try model.member("vocab").required("b", as: Int.self)
        }
        #expect(throws: JSONAccessError(
            path: "model.flags[1]", fault: .wrongKind(expected: "a boolean", found: "a number"))) {
            try model.member("flags").elements()[1].decode(as: Bool.self)
        }
        let wrongArray = JSONAccessError(
            path: "model.flags", fault: .wrongKind(expected: "an array of booleans", found: "an array"))
        #expect(throws: wrongArray) { try model.required("flags", as: [Bool].self) }
        #expect(wrongArray.description == #""model.flags": expected an array of booleans, found an array"#)
        let notAnObject = JSONAccessError(path: "model.name", fault: .wrongKind(expected: "an object", found: "a string"))
        #expect(throws: notAnObject) { try model.member("name").member("x") }
    }
}
