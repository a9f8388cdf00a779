import Foundation
import JSON
import Models
import NN
import SafeTensors
import Tensors
import TestSupport
import Testing

/// `distill quantize`'s library half: the saved int8 and bf16 formats, loading them back, the errors for
/// broken ones, and the accuracy of all-MiniLM-L6-v2's sentence embeddings quantized.
@Suite(.enabled(if: QuantizationSchemes.all.allSatisfy { $0.missingSupport() == nil }, "this CPU lacks VNNI or AVX512-BF16"))
struct QuantizationTests {
    /// A randomised tiny classifier of `type` saved as float32 in a scratch directory, and the directory.
    static func savedClassifier(_ type: ModelType) throws -> (model: SequenceClassifier, directory: ScratchDirectory) {
        let model = SequenceClassifier(config: tinyConfig(type), generator: RandomGenerator(seed: 3))
        randomizeParameters(model, seed: 4)
        let directory = try ScratchDirectory()
        try model.save(to: directory.path("fp32"))
        return (model, directory)
    }

    /// Rewrites a checkpoint's tensors, keeping their dtypes and bytes (`edit` sees and changes the list).
    static func editStoredTensors(in directory: URL, _ edit: (inout [WritableTensor]) -> Void) throws {
        let url = directory.appendingPathComponent(SafeTensorsCheckpoint.singleFileName)
        let file = try SafeTensorsFile(url: url)
        var tensors = try file.names.map { name in
            let info = try #require(file.info(name))
            return WritableTensor(name: name, shape: info.shape, storage: .bytes(info.dtype, try file.withUnsafeBytes(of: name) { Array($0) }))
        }
        edit(&tensors)
        try SafeTensorsWriter.write(tensors, to: url)
    }

    static func logits(_ model: SequenceClassifier) -> Tensor {
        model.setTraining(false)
        return withoutGrad { model(tinyInput).logits }
    }

    /// The quantized directory loads strictly, stores the block weights in the scheme's form (and nothing
    /// else quantized), and gives exactly the logits of the same model quantized in memory; those are near the
    /// float32 ones.
    @Test(arguments: [ModelType.bert, .distilbert], [Int8DynamicQuantization().name, BF16Quantization().name])
    func quantizedCheckpointRoundTrips(type: ModelType, schemeName: String) throws {
        let scheme = try #require(QuantizationSchemes.named(schemeName))
        let (original, scratch) = try Self.savedClassifier(type)
        let output = scratch.path("quantized")
        try CheckpointQuantization.quantize(modelAt: scratch.path("fp32"), into: output, scheme: scheme)

        let (loaded, report) = try SequenceClassifier.load(from: output, strict: true)
        #expect(report.missing.isEmpty && report.unexpected.isEmpty, "\(report)")
        #expect(loaded.isQuantized && !original.isQuantized)
        #expect(try loaded.config.quantizationScheme(file: output)?.name == scheme.name)

        let file = try SafeTensorsFile(url: output.appendingPathComponent(SafeTensorsCheckpoint.singleFileName))
        let layers = loaded.quantizableLinearLayers
        #expect(layers.count == 2 * 6)
        let stored = Set(layers.flatMap { name, layer in layer.quantized?.storedTensors.map { "\(name).\($0.name)" } ?? [] })
        for name in file.names {
            let info = try #require(file.info(name))
            if name.hasSuffix(".weight_scale") {
                #expect(info.dtype == .f32 && info.shape.count == 1 && stored.contains(name), "\(name)")
            } else if stored.contains(name) {
                #expect(info.dtype == (scheme.name == "bf16" ? .bf16 : .i8), "\(name): \(info.dtype)")
            } else {
                let expected: DType = info.shape.count >= 2 ? scheme.otherMatricesType.dtype : .f32
                #expect(info.dtype == expected, "\(name): \(info.dtype)")
            }
        }

        let inMemory = try SequenceClassifier.load(from: scratch.path("fp32"), strict: true).model
        try inMemory.quantize(scheme)
        let (expected, actual, reference) = (Self.logits(inMemory), Self.logits(loaded), Self.logits(original))
        if scheme.otherMatricesType == .f32 {
            #expect(actual.scalars == expected.scalars, "the same stored weights and kernels give the same logits")
        }
        // Loose: random weights of std 0.5 in 2 tiny layers; what is measured is the order of magnitude (int8
        // and bf16 both land within a few percent of the logits' range here).
        let range = reference.scalars.map(abs).max() ?? 1
        #expect(maxAbsDifference(actual, reference) <= 0.1 * range, "quantized logits \(actual.scalars) vs \(reference.scalars)")
    }

    /// transformers' bf16 checkpoint conventions: `dtype` says bfloat16; our own keys are in quantization_config.
    @Test func configRecordsTheScheme() throws {
        let (_, scratch) = try Self.savedClassifier(.bert)
        try CheckpointQuantization.quantize(modelAt: scratch.path("fp32"), into: scratch.path("bf16"), scheme: BF16Quantization())
        let config = try JSONValue.parse(Data(contentsOf: scratch.path("bf16/config.json")), skippingByteOrderMark: true)
        #expect(config["quantization_config"]?["quant_method"]?.stringValue == "distill")
        #expect(config["quantization_config"]?["scheme"]?.stringValue == "bf16")
        #expect((config["dtype"] ?? config["torch_dtype"])?.stringValue == "bfloat16")
        #expect(throws: QuantizationError.self) {
            try CheckpointQuantization.quantize(modelAt: scratch.path("bf16"), into: scratch.path("again"), scheme: Int8DynamicQuantization())
        }
    }

    /// A float32 checkpoint without one of the layers' weights cannot be quantized; the weight is named.
    @Test func quantizingACheckpointWithoutALayerNamesIt() throws {
        let (_, scratch) = try Self.savedClassifier(.bert)
        let name = "bert.encoder.layer.1.intermediate.dense.weight"
        try Self.editStoredTensors(in: scratch.path("fp32")) { $0.removeAll { $0.name == name } }
        #expect(throws: ModelWeightsError.missingWeights(directory: scratch.path("fp32").path, names: [String(name.dropFirst("bert.".count))])) {
            try CheckpointQuantization.quantize(modelAt: scratch.path("fp32"), into: scratch.path("q"), scheme: Int8DynamicQuantization())
        }
    }

    /// Runs `body` on an int8 copy of the tiny model, for breaking.
    static func withInt8Copy(_ body: (URL) throws -> Void) throws {
        let (_, scratch) = try Self.savedClassifier(.bert)
        let output = scratch.path("int8")
        try CheckpointQuantization.quantize(modelAt: scratch.path("fp32"), into: output, scheme: Int8DynamicQuantization())
        try withExtendedLifetime(scratch) { try body(output) }
    }

    static let scaleName = "bert.encoder.layer.1.attention.self.key.weight_scale"

    @Test func missingScalesAreNamed() throws {
        try Self.withInt8Copy { directory in
            try Self.editStoredTensors(in: directory) { $0.removeAll { $0.name == Self.scaleName } }
            #expect {
                try SequenceClassifier.load(from: directory)
            } throws: { error in
                guard case .missingTensors(_, "int8_dynamic", let names) = error as? QuantizationError else { return false }
                return names == [Self.scaleName]
            }
        }
    }

    @Test func misShapedScalesAreNamed() throws {
        try Self.withInt8Copy { directory in
            try Self.editStoredTensors(in: directory) { tensors in
                guard let index = tensors.firstIndex(where: { $0.name == Self.scaleName }) else { return }
                tensors[index] = WritableTensor(name: Self.scaleName, shape: [17], floats: Array(repeating: 0.01, count: 17))
            }
            #expect(throws: ModelWeightsError.shapeMismatch(
                file: directory.path, name: Self.scaleName, expected: [16], found: [17])) {
                try SequenceClassifier.load(from: directory)
            }
        }
    }

    @Test func aWeightInTheWrongDTypeIsNamed() throws {
        try Self.withInt8Copy { directory in
            let name = "bert.encoder.layer.0.output.dense.weight"
            try Self.editStoredTensors(in: directory) { tensors in
                guard let index = tensors.firstIndex(where: { $0.name == name }) else { return }
                tensors[index] = WritableTensor(name: name, shape: [16, 32], floats: Array(repeating: 0.01, count: 512))
            }
            #expect(throws: ModelWeightsError.dtypeMismatch(file: directory.path, name: name, expected: .i8, found: .f32)) {
                try SequenceClassifier.load(from: directory)
            }
        }
    }

    /// An unknown scheme or method, or a config that is not an object, names the key.
    @Test(arguments: [
        (#"{"quant_method": "distill", "scheme": "int4"}"#, "quantization_config.scheme"),
        (#"{"quant_method": "gptq", "scheme": "int8_dynamic"}"#, "quantization_config.quant_method"),
        (#"{"quant_method": "distill"}"#, "quantization_config.scheme"),
        (#""int8""#, "quantization_config"),
    ])
    func badQuantizationConfigsNameTheKey(value: String, key: String) throws {
        try Self.withInt8Copy { directory in
            let configFile = directory.appendingPathComponent("config.json")
            var config = try ModelConfig(contentsOf: configFile)
            config.extraKeys[ModelConfig.quantizationKey] = try JSONValue.parse(Data(value.utf8), skippingByteOrderMark: false)
            try config.write(to: configFile)
            #expect {
                try SequenceClassifier.load(from: directory)
            } throws: { error in
                guard let error = error as? QuantizationError else { return false }
                return error.description.contains("\"\(key)\"") && error.description.contains(configFile.path)
            }
        }
    }

    /// all-MiniLM-L6-v2 quantized by `distill quantize`'s path keeps its sentence embeddings of the golden
    /// sentences: cosine with transformers' float32 ones at least 0.99 (int8) and 0.999 (bf16), the issue's
    /// targets (observed: see the report in the commit).
    @Test(arguments: [(Int8DynamicQuantization().name, 0.99), (BF16Quantization().name, 0.999)])
    func miniLMSentenceEmbeddingsKeepTheirDirection(schemeName: String, minimumCosine: Double) throws {
        let scheme = try #require(QuantizationSchemes.named(schemeName))
        let scratch = try ScratchDirectory()
        try CheckpointQuantization.quantize(modelAt: try Teacher.directory(), into: scratch.path("q"), scheme: scheme)
        let encoder = try TransformerEncoder.load(from: scratch.path("q"), strict: true).model
        encoder.setTraining(false)
        let golden = try SafeTensorsFile(url: Golden.url("golden/minilm/forward.safetensors"))
        let shape = try #require(golden.info("input_ids")?.shape)
        let input = EncoderInput(ids: try Golden.ints(golden, "input_ids"), typeIds: try Golden.ints(golden, "token_type_ids"),
                                 attentionMask: try Golden.ints(golden, "attention_mask"), batchSize: shape[0], sequenceLength: shape[1])
        let embeddings = withoutGrad { encoder(input).lastHidden.meanPooled(attentionMask: input.attentionMask).l2NormalizedRows() }
        let expected = try Golden.tensor(golden, "sentence_embedding")
        let width = expected.shape[1]
        let (actual, reference) = (embeddings.scalars, expected.scalars)
        var cosines: [Double] = []
        for row in 0..<shape[0] {
            let range = (row * width)..<((row + 1) * width)
            let dot = zip(actual[range], reference[range]).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let norms = [actual, reference].map { values in values[range].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }
            cosines.append(dot / (norms[0] * norms[1]))
        }
        print("\(scheme.name) MiniLM sentence embedding cosines with fp32: \(cosines.map { String(format: "%.5f", $0) })")
        #expect(cosines.allSatisfy { $0 >= minimumCosine }, "\(cosines)")
    }
}
