import Foundation
import SafeTensors
import TestSupport
import Testing

/// Tensors of every dtype that tensors hold are read and written as raw bytes, untouched; F16 is also written
/// from floats, rounded to nearest even.
@Suite struct RawBytesTests {
    private static let rawDTypes: [DType] = [.f32, .f16, .bf16, .i8, .u8, .i32, .i64]

    /// Bytes of a `[2, 3]` tensor of `dtype`: every byte distinct, so that a misplaced byte shows.
    private static func sampleBytes(_ dtype: DType) -> [UInt8] {
        (0 ..< 6 * dtype.byteSize).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ dtype.byteSize) }
    }

    @Test(arguments: rawDTypes)
    func rawRoundTripIsByteIdentical(dtype: DType) throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("first.safetensors")
        let second = directory.appendingPathComponent("second.safetensors")
        let bytes = Self.sampleBytes(dtype)
        try SafeTensorsWriter.write(
            [WritableTensor(name: "t", shape: [2, 3], storage: .bytes(dtype, bytes)),
             WritableTensor(name: "other", shape: [1], floats: [2])], to: first)

        let file = try SafeTensorsFile(url: first)
        #expect(file.info("t")?.dtype == dtype)
        #expect(file.info("t")?.shape == [2, 3])
        let read = try file.withUnsafeBytes(of: "t") { Array($0) }
        #expect(read == bytes)

        let copied = try file.names.map { name in
            let info = try #require(file.info(name))
            return WritableTensor(name: name, shape: info.shape,
                                  storage: .bytes(info.dtype, try file.withUnsafeBytes(of: name) { Array($0) }))
        }
        try SafeTensorsWriter.write(copied, to: second)
        #expect(try Data(contentsOf: second) == Data(contentsOf: first))
    }

    @Test func rawBytesOfAMissingTensorAreAnError() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.safetensors")
        try SafeTensorsWriter.write([WritableTensor(name: "t", shape: [1], floats: [1])], to: url)
        let error = try #require(throws: SafeTensorsError.self) {
            try SafeTensorsFile(url: url).withUnsafeBytes(of: "u") { _ in }
        }
        #expect(error.fault == .missingTensor("u"))
    }

    @Test func bytesNotFillingWholeElementsAreRefused() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.safetensors")
        let error = try #require(throws: SafeTensorsError.self) {
            try SafeTensorsWriter.write([WritableTensor(name: "t", shape: [2], storage: .bytes(.bf16, [1, 2, 3]))], to: url)
        }
        #expect(error.fault == .invalidTensor(tensor: "t", reason: "3 bytes are not a whole number of BF16 elements"))
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }

    @Test func bytesNotFillingTheShapeAreRefused() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.safetensors")
        let error = try #require(throws: SafeTensorsError.self) {
            try SafeTensorsWriter.write(
                [WritableTensor(name: "t", shape: [3], storage: .bytes(.i32, Array(repeating: 0, count: 8)))], to: url)
        }
        #expect(error.fault == .invalidTensor(tensor: "t", reason: "shape [3] needs 3 elements but 2 are given"))
    }

    /// A header whose byte range does not match shape × element size is refused when opening, for every dtype.
    @Test(arguments: rawDTypes)
    func headerByteLengthMismatchIsRefused(dtype: DType) throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let byteCount = 3 * dtype.byteSize - 1
        let header = "{\"t\":{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[3],\"data_offsets\":[0,\(byteCount)]}}"
        let url = try craftFile(in: directory, header: header, data: Array(repeating: 0, count: byteCount))
        let error = try #require(throws: SafeTensorsError.self) { try SafeTensorsFile(url: url) }
        #expect(error.fault == .byteLengthMismatch(tensor: "t", expected: 3 * dtype.byteSize, found: byteCount))
    }

    /// Writes `values` as F16 and returns the half bits stored and the floats read back.
    private func halves(_ values: [Float]) throws -> (bits: [UInt16], floats: [Float]) {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("half.safetensors")
        try SafeTensorsWriter.write([WritableTensor(name: "h", shape: [values.count], storage: .half(values))], to: url)
        let file = try SafeTensorsFile(url: url)
        #expect(file.info("h")?.dtype == .f16)
        let bits = try file.withUnsafeBytes(of: "h") { raw in
            (0 ..< values.count).map { UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
        }
        return (bits, try file.floats("h"))
    }

    /// Edge values of the float-to-half rounding: signed zeros, the largest half and the threshold to infinity,
    /// subnormals and the smallest normal, ties (to even) in both ranges, infinities, NaNs.
    @Test func halfRoundsToNearestEven() throws {
        let cases: [(Float, UInt16)] = [
            (0, 0x0000), (-0.0, 0x8000), (1, 0x3C00), (-2, 0xC000), (0.1, 0x2E66),
            (65504, 0x7BFF), (65519, 0x7BFF), (65520, 0x7C00), (.greatestFiniteMagnitude, 0x7C00),
            (.infinity, 0x7C00), (-.infinity, 0xFC00),
            (0x1p-24, 0x0001), (0x1p-25, 0x0000), (0x1.8p-24, 0x0002), (0x1.4p-24, 0x0001), (0x1p-26, 0x0000),
            (0x1p-14, 0x0400), (0x1p-14 - 0x1p-25, 0x0400), (0x1p-14 - 0x1p-24, 0x03FF), (-0x1p-24, 0x8001),
            (1 + 0x1p-11, 0x3C00), (1 + 0x1.8p-10, 0x3C02), (1 + 0x1p-11 + 0x1p-20, 0x3C01),
            (.leastNonzeroMagnitude, 0x0000), (.nan, 0x7E00),
        ]
        let (bits, _) = try halves(cases.map(\.0))
        for ((value, expected), actual) in zip(cases, bits) {
            #expect(actual == expected, "\(value): \(String(actual, radix: 16)), expected \(String(expected, radix: 16))")
        }
        let nans: [Float] = [-.nan, .signalingNaN, Float(bitPattern: 0x7F80_0001), Float(bitPattern: 0xFFBF_FFFF)]
        #expect(try halves(nans).floats.allSatisfy(\.isNaN))
    }

    /// Every half survives half → float → half unchanged (NaNs stay NaNs).
    @Test func halfRoundTripsEveryBitPattern() throws {
        let patterns = Array(0 ... UInt16.max)
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("all.safetensors")
        try SafeTensorsWriter.write(
            [WritableTensor(name: "h", shape: [patterns.count], storage: .bytes(.f16, littleEndianBytes(patterns)))], to: url)
        let floats = try SafeTensorsFile(url: url).floats("h")
        let (bits, _) = try halves(floats)
        for (pattern, (value, back)) in zip(patterns, zip(floats, bits)) where value.isNaN ? back & 0x7C00 != 0x7C00 || back & 0x03FF == 0 : back != pattern {
            Issue.record("F16 \(String(pattern, radix: 16)) came back as \(String(back, radix: 16))")
            return
        }
    }
}
