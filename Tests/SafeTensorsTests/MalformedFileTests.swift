import Foundation
import SafeTensors
import TestSupport
import Testing

/// Every structural fault of a safetensors file is reported as a `SafeTensorsError` naming the file.
@Suite struct MalformedFileTests {
    /// A valid single-tensor header; tests derive broken variants from it.
    private static func entry(
        _ name: String = "w", dtype: String = "F32", shape: String = "[2]", offsets: String = "[0,8]"
    ) -> String {
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
    }

    private static let eightBytes = [UInt8](repeating: 0, count: 8)

    /// Opens `url` and returns the error, after checking it names the file.
    private func openingError(_ url: URL) throws -> SafeTensorsError {
        let error = try #require(throws: SafeTensorsError.self) { try SafeTensorsFile(url: url) }
        #expect(error.file == url)
        #expect(error.description.hasPrefix(url.path + ": "))
        return error
    }

    private func openingError(header: String, data: [UInt8] = eightBytes) throws -> SafeTensorsError {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        return try openingError(craftFile(in: directory, header: header, data: data))
    }

    @Test func validCraftedFileOpens() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = littleEndianBytes([Float(1.5).bitPattern, Float(-2).bitPattern])
        let file = try SafeTensorsFile(url: craftFile(in: directory, header: "{\(Self.entry())}", data: data))
        #expect(try file.floats("w") == [1.5, -2])
    }

    @Test func missingFile() throws {
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString).safetensors")
        guard case .io = try openingError(url).fault else {
            Issue.record("expected an I/O fault")
            return
        }
    }

    @Test func directoryIsRefused() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try openingError(directory)
        #expect(error.description.contains("is a directory"))
    }

    @Test func fileShorterThanLengthPrefix() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("short.safetensors")
        try Data([1, 2, 3, 4, 5]).write(to: url)
        #expect(try openingError(url).fault == .fileTooShort(byteCount: 5))
    }

    @Test func headerLengthBeyondFile() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try craftFile(in: directory, header: Array("{}".utf8), declaredLength: 1000)
        #expect(try openingError(url).fault == .headerBeyondFile(headerLength: 1000, fileSize: 10))
    }

    @Test func absurdHeaderLength() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try craftFile(in: directory, header: Array("{}".utf8), declaredLength: UInt64.max)
        #expect(try openingError(url).fault == .headerTooLarge(headerLength: UInt64.max))
    }

    @Test func invalidUTF8() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try craftFile(in: directory, header: Array("{\"\u{e9}\":1}".utf8.dropFirst(3)) + [0xFF, 0xFE])
        #expect(try openingError(url).fault == .headerNotUTF8)
    }

    @Test(arguments: ["", "{", "{\"w\":}", "{\"w\" 1}", "{} x", "{\"a\":tru}", "{\"a\":01}", "{\"a\":\"\\x\"}",
                      "{\"a\":\"\\ud800\"}", "{\"a\":\"tab\there\"}", String(repeating: "[", count: 100_000)])
    func invalidJSON(header: String) throws {
        guard case .invalidJSON = try openingError(header: header).fault else {
            Issue.record("expected invalidJSON for \(header.prefix(20))")
            return
        }
    }

    @Test func headerNotAnObject() throws {
        #expect(try openingError(header: "[1, 2]").fault == .notAnObject(found: "an array"))
    }

    @Test func duplicateTensorNames() throws {
        let error = try openingError(header: "{\(Self.entry()),\(Self.entry(offsets: "[0,8]"))}")
        #expect(error.fault == .duplicateKey("duplicate key \"w\""))
    }

    @Test func duplicateFieldInsideEntry() throws {
        let header = "{\"w\":{\"dtype\":\"F32\",\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}"
        #expect(try openingError(header: header).fault == .duplicateKey("duplicate key \"dtype\" inside \"w\""))
    }

    @Test func unknownDType() throws {
        let error = try openingError(header: "{\(Self.entry(dtype: "F7"))}")
        #expect(error.fault == .unknownDType(tensor: "w", dtype: "F7"))
        #expect(error.description.contains("BF16"))
    }

    @Test func entryMissingField() throws {
        let error = try openingError(header: "{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}")
        #expect(error.fault == .malformedEntry(tensor: "w", reason: "missing \"data_offsets\""))
    }

    @Test func metadataValueNotString() throws {
        let error = try openingError(header: "{\"__metadata__\":{\"format\":1},\(Self.entry())}")
        #expect(error.fault == .invalidMetadata("value of \"format\" is a number, not a string"))
    }

    @Test func negativeDimension() throws {
        let error = try openingError(header: "{\(Self.entry(shape: "[-2]"))}")
        #expect(error.fault == .invalidShape(tensor: "w", reason: "negative dimension -2"))
    }

    @Test func fractionalDimension() throws {
        let error = try openingError(header: "{\(Self.entry(shape: "[2.0]"))}")
        #expect(error.fault == .invalidShape(tensor: "w", reason: "dimension 2.0 is not a representable integer"))
    }

    @Test func elementCountOverflow() throws {
        let error = try openingError(header: "{\(Self.entry(shape: "[4611686018427387904, 4]"))}")
        #expect(error.fault == .invalidShape(tensor: "w", reason: "element count overflows"))
    }

    @Test func byteCountOverflow() throws {
        let error = try openingError(header: "{\(Self.entry(shape: "[4611686018427387904]"))}")
        #expect(error.fault == .invalidShape(tensor: "w", reason: "byte count overflows"))
    }

    @Test func offsetsBeyondData() throws {
        let error = try openingError(header: "{\(Self.entry(offsets: "[8,16]"))}")
        #expect(error.fault == .offsetsOutOfRange(tensor: "w", begin: 8, end: 16, dataSize: 8))
    }

    @Test func offsetsReversed() throws {
        let error = try openingError(header: "{\(Self.entry(offsets: "[8,0]"))}")
        #expect(error.fault == .offsetsReversed(tensor: "w", begin: 8, end: 0))
    }

    @Test func negativeOffset() throws {
        let error = try openingError(header: "{\(Self.entry(offsets: "[-8,0]"))}")
        guard case .malformedEntry(tensor: "w", _) = error.fault else {
            Issue.record("expected malformedEntry, got \(error)")
            return
        }
    }

    @Test func byteLengthNotMatchingShape() throws {
        let error = try openingError(header: "{\(Self.entry(shape: "[3]", offsets: "[0,8]"))}")
        #expect(error.fault == .byteLengthMismatch(tensor: "w", expected: 12, found: 8))
    }

    @Test func overlappingTensors() throws {
        let header = "{\(Self.entry("a", offsets: "[0,8]")),\(Self.entry("b", shape: "[1]", offsets: "[4,8]"))}"
        #expect(try openingError(header: header).fault == .overlappingTensors("a", "b"))
    }

    @Test func adjacentAndEmptyTensorsDoNotOverlap() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let entries = [
            Self.entry("a", shape: "[1]", offsets: "[0,4]"), Self.entry("e", shape: "[0,3]", offsets: "[4,4]"),
            Self.entry("b", shape: "[1]", offsets: "[4,8]"),
        ]
        let header = "{" + entries.joined(separator: ",") + "}"
        let file = try SafeTensorsFile(url: craftFile(in: directory, header: header, data: Self.eightBytes))
        #expect(try file.floats("e").isEmpty)
        #expect(file.info("e")?.shape == [0, 3])
    }
}
