import Foundation
import SafeTensors
import TestSupport
import Testing

/// Conversion of every dtype to `Float` / `Int64`, checked on crafted single-tensor files.
@Suite struct ElementDecodingTests {
    /// Writes one tensor of `dtype` holding `data`, with the header padded so that the data starts
    /// `misalignment` bytes past a multiple of 8 in the file, and opens it.
    private func file(
        dtype: String, count: Int, data: [UInt8], misalignment: Int = 0, in directory: URL
    ) throws -> SafeTensorsFile {
        var header = "{\"t\":{\"dtype\":\"\(dtype)\",\"shape\":[\(count)],\"data_offsets\":[0,\(data.count)]}}"
        header += String(repeating: " ", count: (misalignment - (8 + header.utf8.count) % 8 + 8) % 8)
        return try SafeTensorsFile(url: craftFile(in: directory, header: header, data: data))
    }

    @Test func halfPrecisionAllBitPatterns() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let patterns = (0 ... UInt16.max).map { $0 }
        let values = try file(dtype: "F16", count: patterns.count, data: littleEndianBytes(patterns), misalignment: 1,
                              in: directory).floats("t")
        for (bits, value) in zip(patterns, values) {
            let expected = Self.referenceHalf(bits)
            guard expected.isNaN ? value.isNaN : value.bitPattern == expected.bitPattern else {
                Issue.record("F16 \(String(bits, radix: 16)): got \(value), expected \(expected)")
                return
            }
        }
    }

    /// Half to float by arithmetic on the fields, independent of the bit trick under test.
    private static func referenceHalf(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 == 0 ? 1 : -1
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = Float(bits & 0x3FF)
        switch exponent {
        case 0: return sign * mantissa * 0x1p-24
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    @Test func bfloat16AndFloat64() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let samples: [Float] = [0, -0.0, 1, -2.5, 3.0e38, .infinity, .leastNormalMagnitude / 2]
        let bfloat = try file(dtype: "BF16", count: samples.count,
                              data: littleEndianBytes(samples.map { UInt16($0.bitPattern >> 16) }), in: directory)
        #expect(try bfloat.floats("t").map(\.bitPattern) == samples.map { $0.bitPattern & 0xFFFF_0000 })

        let doubles: [Double] = [1.0 / 3.0, -1e300, 42]
        let double = try file(dtype: "F64", count: 3, data: littleEndianBytes(doubles.map(\.bitPattern)),
                              misalignment: 3, in: directory)
        #expect(try double.floats("t") == [Float(1.0 / 3.0), -.infinity, 42])
    }

    @Test func unalignedFloat32() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let values: [Float] = [1.25, -7, .pi]
        let floats = try file(
            dtype: "F32", count: 3, data: littleEndianBytes(values.map(\.bitPattern)), misalignment: 2, in: directory)
        #expect(try floats.floats("t") == values)
    }

    @Test func integerDTypes() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [(dtype: String, data: [UInt8], expected: [Int64])] = [
            ("I64", littleEndianBytes([Int64.min, -1, Int64.max]), [Int64.min, -1, Int64.max]),
            ("I32", littleEndianBytes([Int32.min, -1, 7]), [Int64(Int32.min), -1, 7]),
            ("I16", littleEndianBytes([Int16.min, -1, 7]), [Int64(Int16.min), -1, 7]),
            ("I8", littleEndianBytes([Int8.min, -1, 7]), [-128, -1, 7]),
            ("U64", littleEndianBytes([UInt64(0), 1, UInt64(Int64.max)]), [0, 1, Int64.max]),
            ("U32", littleEndianBytes([UInt32.max, 1, 0]), [Int64(UInt32.max), 1, 0]),
            ("U16", littleEndianBytes([UInt16.max, 1, 0]), [65535, 1, 0]),
            ("U8", [255, 1, 0], [255, 1, 0]),
            ("BOOL", [1, 0, 1], [1, 0, 1]),
        ]
        for (index, testCase) in cases.enumerated() {
            let tensor = try file(dtype: testCase.dtype, count: 3, data: testCase.data, misalignment: index,
                                  in: directory)
            #expect(try tensor.integers("t") == testCase.expected, "\(testCase.dtype)")
            #expect(try tensor.floats("t", convertingIntegers: true) == testCase.expected.map(Float.init),
                    "\(testCase.dtype)")
            #expect(throws: SafeTensorsError.self, "\(testCase.dtype)") { try tensor.floats("t") }
        }
    }

    @Test func unsignedBeyondInt64IsRefused() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tensor = try file(dtype: "U64", count: 2, data: littleEndianBytes([UInt64(3), UInt64.max]), in: directory)
        let error = try #require(throws: SafeTensorsError.self) { try tensor.integers("t") }
        #expect(error.fault == .valueNotRepresentable(
            tensor: "t", index: 1, reason: "is \(UInt64.max), beyond Int64.max"))
    }

    @Test func integralFloatsConvertToIntegersWhenAsked() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let values: [Float] = [0, -3, 1024]
        let tensor = try file(dtype: "F32", count: 3, data: littleEndianBytes(values.map(\.bitPattern)), in: directory)
        #expect(try tensor.integers("t", convertingFloats: true) == [0, -3, 1024])
    }
}
