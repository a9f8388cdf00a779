import JSON

/// The JSON layer: any bytes either parse or give a `JSONParseError`; whatever parses is written back (compact, and
/// in Python's layout with sorted keys and ASCII escapes) and must read back as the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let bytes = fuzzBytes(data, count)
    for skippingByteOrderMark in [false, true] {
        guard let value = try? JSONValue.parse(bytes, skippingByteOrderMark: skippingByteOrderMark) else { continue }
        let compact = value.serialized(.compact)
        expect((try? JSONValue.parse(compact)) == value, "compact form does not read back: \(compact)")
        // Sorted keys reorder members, so compare with the value written the same way.
        let python = value.serialized(.python)
        let reread = try? JSONValue.parse(python)
        expect(reread?.serialized(.python) == python, "Python form does not read back: \(python)")
        visit(value)
    }
    return 0
}

/// Touches every accessor that error messages and readers use.
private func visit(_ value: JSONValue) {
    _ = (value.summary, value.kindName, value.integerValue, value.doubleValue, value.isIntegerLiteral)
    for member in value.members ?? [] { visit(member.value) }
    for element in value.elements ?? [] { visit(element) }
}
