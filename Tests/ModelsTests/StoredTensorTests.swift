import Foundation
import Models
import NN
import SafeTensors
import Tensors
import Testing
import TestSupport

/// Safetensors tensors become tensors of their element type with their bytes untouched, and back.
@Suite struct StoredTensorTests {
    /// A saved model whose checkpoint is then rewritten with one tensor in bf16: the tensor reads back as bf16
    /// with the same bytes, rewriting keeps it byte for byte, and the model loads it rounded to bf16.
    @Test func modelSavedWithABFloat16TensorReadsBack() throws {
        let original = SequenceClassifier(config: tinyConfig(.bert), generator: RandomGenerator(seed: 20))
        randomizeParameters(original, seed: 21)
        let name = "bert.encoder.layer.1.attention.self.query.weight"
        let parameter = try #require(original.parameter(named: name))
        let rounded = try parameter.converted(to: .bf16)
        try withScratchDirectory { directory in
            try original.save(to: directory)
            let url = directory.appendingPathComponent(SafeTensorsCheckpoint.singleFileName)
            let saved = try SafeTensorsFile(url: url)
            let tensors = try saved.names.map { try WritableTensor(name: $0, tensor: $0 == name ? rounded : saved.tensor($0)) }
            try SafeTensorsWriter.write(tensors, metadata: saved.metadata, to: url)

            let file = try SafeTensorsFile(url: url)
            #expect(file.info(name)?.dtype == .bf16)
            let read = try file.tensor(name)
            #expect(read.elementType == .bf16 && read.shape == parameter.shape)
            #expect(read.withUnsafeBytes { Array($0) } == rounded.withUnsafeBytes { Array($0) })

            let copy = directory.appendingPathComponent("copy.safetensors")
            try SafeTensorsWriter.write(try file.names.map { try WritableTensor(name: $0, tensor: file.tensor($0)) },
                                        metadata: file.metadata, to: copy)
            #expect(try Data(contentsOf: copy) == Data(contentsOf: url))

            let (loaded, _) = try SequenceClassifier.load(from: directory, strict: true)
            #expect(try loaded.parameter(named: name)?.scalars == rounded.converted(to: .f32).scalars)
            #expect(loaded.parameter(named: "classifier.weight")?.scalars == original.parameter(named: "classifier.weight")?.scalars)
        }
    }

    /// Every dtype with an element type reads as a tensor of that type with the file's bytes; F16 reads as the
    /// exact f32 values; dtypes without an element type are refused with a message naming the tensor.
    @Test func everyDTypeReadsAsATensor() throws {
        let cases: [(DType, ElementType)] = [(.f32, .f32), (.bf16, .bf16), (.i8, .s8), (.u8, .u8), (.i32, .s32)]
        let half: [UInt16] = [0x3C00, 0xC000, 0x0001, 0x7BFF]  // 1, -2, 2^-24, 65504
        try withScratchDirectory { directory in
            let url = directory.appendingPathComponent("all.safetensors")
            var tensors = cases.map { dtype, _ in
                WritableTensor(name: dtype.rawValue, shape: [2, 2],
                               storage: .bytes(dtype, (0 ..< 4 * dtype.byteSize).map { UInt8($0 * 13 + 1) }))
            }
            tensors.append(WritableTensor(name: "F16", shape: [4], storage: .bytes(.f16, half.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })))
            tensors.append(WritableTensor(name: "I64", shape: [1], integers: [7]))
            try SafeTensorsWriter.write(tensors, to: url)
            let file = try SafeTensorsFile(url: url)
            for (dtype, type) in cases {
                #expect(type.dtype == dtype && ElementType(dtype) == type)
                let tensor = try file.tensor(dtype.rawValue)
                #expect(tensor.elementType == type && tensor.shape == [2, 2])
                #expect(tensor.withUnsafeBytes { Array($0) } == (try file.withUnsafeBytes(of: dtype.rawValue) { Array($0) }))
            }
            let f16 = try file.tensor("F16")
            #expect(f16.elementType == .f32 && f16.scalars == [1, -2, 0x1p-24, 65504])
            let error = try #require(throws: SafeTensorsError.self) { try file.tensor("I64") }
            #expect(error.fault == .wrongKind(tensor: "I64", dtype: .i64, requested: "a tensor (F32, F16, BF16, I8, U8 or I32)"))
            #expect(throws: SafeTensorsError(file: url, fault: .missingTensor("none"))) { try file.tensor("none") }
        }
    }
}
