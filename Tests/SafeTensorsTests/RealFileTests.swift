import Foundation
import SafeTensors
import TestSupport
import Testing

/// Reading the checkpoints and golden files that transformers / safetensors wrote.
@Suite struct RealFileTests {
    private let tinyBert = Golden.shared.appendingPathComponent("golden/tiny-bert")

    @Test func tinyBertModel() throws {
        let file = try SafeTensorsFile(url: tinyBert.appendingPathComponent("model.safetensors"))
        #expect(file.metadata == ["format": "pt"])
        #expect(file.names.count == 41)
        #expect(file.names == file.names.sorted())
        let embeddings = try #require(file.info("bert.embeddings.word_embeddings.weight"))
        #expect(embeddings.dtype == .f32)
        #expect(embeddings.shape == [1000, 32])
        #expect(embeddings.elementCount == 32_000)
        #expect(embeddings.byteRange == 8704 ..< 136_704)
        try file.expectShape("classifier.weight", [3, 32])

        let gamma = try file.floats("bert.embeddings.LayerNorm.weight")
        #expect(gamma.count == 32)
        #expect(gamma.allSatisfy { $0.isFinite })
        let words = try file.floats("bert.embeddings.word_embeddings.weight")
        #expect(words.count == 32_000)
        #expect(words.contains { $0 != 0 })
    }

    @Test func goldenIntegerInputs() throws {
        let file = try SafeTensorsFile(url: tinyBert.appendingPathComponent("golden.safetensors"))
        #expect(file.metadata.isEmpty)
        #expect(file.info("input_ids")?.dtype == .i64)
        let ids = try file.integers("input_ids")
        #expect(ids.count == 48)
        #expect(ids.allSatisfy { (0 ..< 1000).contains($0) })
        let mask = try file.integers("attention_mask")
        #expect(mask.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(mask.contains(0) && mask.contains(1))
        // Conversion must be asked for explicitly and then gives the same values.
        #expect(try file.floats("input_ids", convertingIntegers: true) == ids.map(Float.init))
    }

    @Test func integerTensorIsNotReadAsFloats() throws {
        let url = tinyBert.appendingPathComponent("golden.safetensors")
        let file = try SafeTensorsFile(url: url)
        let error = try #require(throws: SafeTensorsError.self) { try file.floats("input_ids") }
        #expect(error == SafeTensorsError(
            file: url, fault: .wrongKind(tensor: "input_ids", dtype: .i64, requested: "floats")))
    }

    @Test func floatTensorIsNotReadAsIntegers() throws {
        let url = tinyBert.appendingPathComponent("model.safetensors")
        let file = try SafeTensorsFile(url: url)
        let error = try #require(throws: SafeTensorsError.self) { try file.integers("classifier.bias") }
        #expect(error.fault == .wrongKind(tensor: "classifier.bias", dtype: .f32, requested: "integers"))
        // Asked to convert, non-integral weights are still refused.
        let conversion = try #require(throws: SafeTensorsError.self) {
            try file.integers("classifier.weight", convertingFloats: true)
        }
        guard case .valueNotRepresentable(tensor: "classifier.weight", index: 0, let reason) = conversion.fault else {
            Issue.record("unexpected \(conversion)")
            return
        }
        #expect(reason.contains("not an integer"))
    }

    @Test func copyIntoBufferChecksCount() throws {
        let file = try SafeTensorsFile(url: tinyBert.appendingPathComponent("model.safetensors"))
        let expected = try file.floats("classifier.weight")
        var exact = [Float](repeating: .nan, count: 96)
        try exact.withUnsafeMutableBufferPointer { try file.withFloatsCopied("classifier.weight", into: $0) }
        #expect(exact == expected)

        var tooLarge = [Float](repeating: 0, count: 97)
        let error = try #require(throws: SafeTensorsError.self) {
            try tooLarge.withUnsafeMutableBufferPointer { try file.withFloatsCopied("classifier.weight", into: $0) }
        }
        #expect(error.fault == .elementCountMismatch(tensor: "classifier.weight", expected: 96, found: 97))
    }

    @Test func expectShapeNamesTensorExpectedAndFound() throws {
        let url = tinyBert.appendingPathComponent("model.safetensors")
        let file = try SafeTensorsFile(url: url)
        let error = try #require(throws: SafeTensorsError.self) { try file.expectShape("classifier.weight", [32, 3]) }
        #expect(error.fault == .shapeMismatch(tensor: "classifier.weight", expected: [32, 3], found: [3, 32]))
        #expect(error.description.contains("classifier.weight") && error.description.contains("[32, 3]")
            && error.description.contains("[3, 32]"))
        let missing = try #require(throws: SafeTensorsError.self) { try file.expectShape("pooler", [1]) }
        #expect(missing == SafeTensorsError(file: url, fault: .missingTensor("pooler")))
    }

    @Test func directoryLoaderFindsSingleFile() throws {
        let checkpoint = try SafeTensorsCheckpoint(directory: tinyBert)
        let file = try SafeTensorsFile(url: tinyBert.appendingPathComponent("model.safetensors"))
        #expect(checkpoint.names == file.names)
        #expect(checkpoint.metadata == ["format": "pt"])
        #expect(try checkpoint.floats("classifier.bias") == file.floats("classifier.bias"))
    }
}
