import Foundation
import SafeTensors
import TestSupport
import Testing

/// Files written by `SafeTensorsWriter` read back exactly and follow the reference layout.
@Suite struct WriterTests {
    private static let sample = [
        WritableTensor(name: "layer.weight", shape: [2, 3], floats: [1, -2, 3.5, 0, .greatestFiniteMagnitude, -1e-30]),
        WritableTensor(name: "a.bias", shape: [3], floats: [0.25, 0.5, 0.75]),
        WritableTensor(name: "position_ids", shape: [1, 4], integers: [0, 1, 2, Int64.max]),
        WritableTensor(name: "scalar", shape: [], floats: [7]),
        WritableTensor(name: "empty", shape: [0, 5], floats: []),
        WritableTensor(name: "we\"ird\\name\n\u{e9}", shape: [1], integers: [-5]),
    ]

    @Test func roundTrip() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.safetensors")
        try SafeTensorsWriter.write(Self.sample, metadata: ["step": "12"], to: url)

        let file = try SafeTensorsFile(url: url)
        #expect(file.metadata == ["format": "pt", "step": "12"])
        #expect(file.names == Self.sample.map(\.name).sorted())
        for tensor in Self.sample {
            let info = try #require(file.info(tensor.name))
            #expect(info.shape == tensor.shape)
            switch tensor.storage {
            case .float(let values):
                #expect(info.dtype == .f32)
                #expect(try file.floats(tensor.name) == values)
            case .int64(let values):
                #expect(info.dtype == .i64)
                #expect(try file.integers(tensor.name) == values)
            case .half, .bytes:
                Issue.record("the sample holds F32 and I64 tensors only (RawBytesTests covers the others)")
            }
        }
        // Only the final file remains: the temporary file was renamed.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.safetensors"])
    }

    @Test func layoutMatchesReference() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.safetensors")
        try SafeTensorsWriter.write(Self.sample, to: url)

        let bytes = try [UInt8](Data(contentsOf: url))
        let headerLength = bytes[0 ..< 8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(headerLength % 8 == 0)
        let header = try #require(String(validating: bytes[8 ..< 8 + headerLength], as: UTF8.self))
        #expect(header.hasPrefix("{\"__metadata__\":{\"format\":\"pt\"},"))
        let json = header.trimmingCharacters(in: .whitespaces)
        #expect(json.hasSuffix("}"))
        #expect(header.dropFirst(json.count).allSatisfy { $0 == " " })
        #expect(header.count - json.count < 8)

        // 8-byte integers first (keeping them aligned), then by name; offsets contiguous from 0.
        let file = try SafeTensorsFile(url: url)
        let order = ["position_ids", "we\"ird\\name\n\u{e9}", "a.bias", "empty", "layer.weight", "scalar"]
        let ranges = try order.map { try #require(file.info($0)).byteRange }
        #expect(ranges.first?.lowerBound == 0)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(ranges.last?.upperBound == bytes.count - 8 - headerLength)
        #expect(header.contains("\"position_ids\":{\"dtype\":\"I64\",\"shape\":[1,4],\"data_offsets\":[0,32]}"))
    }

    @Test func userMetadataOverridesFormat() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.safetensors")
        try SafeTensorsWriter.write(Self.sample, metadata: ["format": "np"], to: url)
        #expect(try SafeTensorsFile(url: url).metadata == ["format": "np"])
    }

    @Test func replacesExistingFile() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.safetensors")
        try SafeTensorsWriter.write(Self.sample, to: url)
        try SafeTensorsWriter.write([WritableTensor(name: "only", shape: [1], floats: [9])], to: url)
        let file = try SafeTensorsFile(url: url)
        #expect(file.names == ["only"])
        #expect(try file.floats("only") == [9])
    }

    @Test(arguments: [
        (WritableTensor(name: "w", shape: [2, 2], floats: [1, 2, 3]), "shape [2, 2] needs 4 elements but 3 are given"),
        (WritableTensor(name: "w", shape: [-1], floats: [1]), "negative dimension in [-1]"),
        (WritableTensor(name: "__metadata__", shape: [1], floats: [1]), "reserved or empty name"),
        (WritableTensor(name: "", shape: [1], floats: [1]), "reserved or empty name"),
    ])
    func invalidTensorIsRefused(tensor: WritableTensor, reason: String) throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.safetensors")
        let error = try #require(throws: SafeTensorsError.self) { try SafeTensorsWriter.write([tensor], to: url) }
        #expect(error == SafeTensorsError(file: url, fault: .invalidTensor(tensor: tensor.name, reason: reason)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func duplicateNameIsRefused() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.safetensors")
        let tensor = WritableTensor(name: "w", shape: [1], floats: [1])
        let error = try #require(throws: SafeTensorsError.self) {
            try SafeTensorsWriter.write([tensor, tensor], to: url)
        }
        #expect(error.fault == .invalidTensor(tensor: "w", reason: "name used twice"))
    }

    @Test func unwritableDirectoryIsAnIOError() throws {
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/out.safetensors")
        let error = try #require(throws: SafeTensorsError.self) {
            try SafeTensorsWriter.write(Self.sample, to: url)
        }
        guard case .io = error.fault else {
            Issue.record("expected an I/O fault, got \(error)")
            return
        }
    }
}
