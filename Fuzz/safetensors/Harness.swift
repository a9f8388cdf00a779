import SafeTensors

/// A safetensors file: opening validates the header (any bytes either open or give a `SafeTensorsError`); every
/// tensor of a file that opens is then read raw, as floats and as integers (converting), which must not read
/// outside the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let url = scratchFile("model.safetensors", fuzzBytes(data, count))
    guard let file = try? SafeTensorsFile(url: url) else { return 0 }
    _ = file.metadata
    for name in file.names {
        guard let info = file.info(name) else {
            expect(false, "listed tensor \(name) has no info")
            continue
        }
        let byteCount = try? file.withUnsafeBytes(of: name) { $0.count }
        expect(byteCount == info.byteRange.count, "\(name): \(byteCount ?? -1) bytes, header says \(info.byteRange)")
        let floats = try? file.floats(name, convertingIntegers: true)
        expect(floats == nil || floats?.count == info.elementCount, "\(name): wrong float count")
        let integers = try? file.integers(name, convertingFloats: true)
        expect(integers == nil || integers?.count == info.elementCount, "\(name): wrong integer count")
    }
    return 0
}
