import Foundation
import JSON
import Models
import TestSupport
import Testing

/// Reading, writing and converting Hugging Face `config.json` files.
@Suite struct ModelConfigTests {
    private static let golden = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/golden").standardizedFileURL
    private static let tinyBert = golden.appendingPathComponent("tiny-bert/config.json")
    private static let tinyDistilBert = golden.appendingPathComponent("tiny-distilbert/config.json")

    /// The top-level object of the JSON file at `url`.
    private func jsonObject(_ url: URL) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    @Test func readsTinyBert() throws {
        let config = try ModelConfig(contentsOf: Self.tinyBert)
        #expect(config.modelType == .bert)
        #expect(config.hiddenSize == 32)
        #expect(config.layerCount == 2)
        #expect(config.headCount == 4)
        #expect(config.intermediateSize == 64)
        #expect(config.activation == .gelu)
        #expect(config.layerNormEps == 1e-12)
        #expect(config.maxPositions == 64)
        #expect(config.typeVocabSize == 2)
        #expect(config.vocabSize == 1000)
        #expect(config.padTokenId == 0)
        #expect(config.hiddenDropout == 0 && config.attentionDropout == 0)
        #expect(config.classifierDropout == nil)
        #expect(config.initializerRange == 0.02)
        #expect(config.id2label == [0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"])
        #expect(config.label2id == ["LABEL_0": 0, "LABEL_1": 1, "LABEL_2": 2])
        #expect(config.architectures == ["BertForSequenceClassification"])
        #expect(config.dtype == "float32")
        #expect(config.problemType == nil)
        #expect(config.extraKeys["transformers_version"] == .string("5.23.0"))
        #expect(config.extraKeys["bos_token_id"] == .null)
        #expect(config.extraKeys["use_cache"] == .bool(true))
        #expect(config.extraKeys["hidden_size"] == nil)
    }

    @Test func readsTinyDistilBert() throws {
        let config = try ModelConfig(contentsOf: Self.tinyDistilBert)
        #expect(config.modelType == .distilbert)
        #expect(config.hiddenSize == 32)
        #expect(config.layerCount == 2)
        #expect(config.headCount == 4)
        #expect(config.intermediateSize == 64)
        #expect(config.layerNormEps == 1e-12)
        #expect(config.typeVocabSize == 0)
        #expect(config.classifierDropout == 0)
        #expect(config.qaDropout == 0.1)
        #expect(config.sinusoidalPositions == false)
        #expect(config.id2label == ModelConfig.defaultLabels)
        #expect(config.architectures == ["DistilBertForSequenceClassification"])
        #expect(config.extraKeys.keys.sorted() == ["bos_token_id", "eos_token_id", "transformers_version"])
    }

    /// Unchanged configs written by transformers come back byte for byte.
    @Test(arguments: [tinyBert, tinyDistilBert])
    func writesBackIdentically(original: URL) throws {
        try withScratchDirectory { directory in
            let copy = directory.appendingPathComponent("config.json")
            try ModelConfig(contentsOf: original).write(to: copy)
            #expect(try String(contentsOf: copy, encoding: .utf8) == String(contentsOf: original, encoding: .utf8))
        }
    }

    @Test(arguments: [ModelType.bert, .distilbert])
    func roundTripKeepsEveryField(type: ModelType) throws {
        var config = ModelConfig(
            modelType: type, hiddenSize: 48, layerCount: 3, headCount: 6, intermediateSize: 96, vocabSize: 77)
        config.activation = .geluNew
        config.maxPositions = 128
        config.padTokenId = nil
        config.hiddenDropout = 0.25
        config.attentionDropout = 0.125
        config.classifierDropout = 0.5
        config.qaDropout = type == .distilbert ? 0.3 : config.qaDropout
        config.sinusoidalPositions = type == .distilbert
        config.initializerRange = 0.05
        config.tieWordEmbeddings = false
        config.id2label = [0: "négatif", 1: "positif 😀", 2: "quote\"d"]
        config.problemType = .multiLabelClassification
        config.architectures = ["A", "B"]
        config.dtype = "bfloat16"
        config.layerDimensions = [LayerDimensions(headCount: 6, headSize: 8, intermediateSize: 96),
                                  LayerDimensions(headCount: 2, headSize: 8, intermediateSize: 40),
                                  LayerDimensions(headCount: 3, headSize: 5, intermediateSize: 1)]
        if type == .bert {
            config.layerNormEps = 1e-5
            config.typeVocabSize = 3
        }
        config.extraKeys = [
            "float_one": 1.0, "int_one": 1, "nested": ["list": [.null, false]],
            "empty_object": [:], "empty_list": [], "text": "tab\tnewline\n",
            "beyond_int": .number("123456789012345678901234567890"),
        ]
        try withScratchDirectory { directory in
            let url = directory.appendingPathComponent("config.json")
            try config.write(to: url)
            #expect(try ModelConfig(contentsOf: url) == config)
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(text.contains("\"float_one\": 1.0,\n"))
            #expect(text.contains("\"int_one\": 1,\n"))
            #expect(text.contains("\"beyond_int\": 123456789012345678901234567890,\n"),
                    "integers beyond Int keep their literal")
            #expect(text.contains("\"empty_list\": [],\n"))
            #expect(text.contains("\"distill_layer_dimensions\": [\n    {\n      \"head_size\": 8,\n      \"heads\": 6,\n"))
            #expect(text.contains("\"0\": \"n\\u00e9gatif\""))
            #expect(text.contains("\"1\": \"positif \\ud83d\\ude00\""))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["config.json"])
        }
    }

    @Test func convertsBertToDistilBertKeys() throws {
        let bert = try ModelConfig(contentsOf: Self.tinyBert)
        let distil = bert.converted(to: .distilbert)
        #expect(distil.modelType == .distilbert)
        #expect(distil.architectures == ["DistilBertForSequenceClassification"])
        #expect(distil.typeVocabSize == 0)
        #expect(distil.classifierDropout == bert.hiddenDropout)
        try withScratchDirectory { directory in
            let url = directory.appendingPathComponent("config.json")
            try distil.write(to: url)
            let object = try jsonObject(url)
            for key in ["dim", "n_layers", "n_heads", "hidden_dim", "activation", "dropout", "attention_dropout",
                        "seq_classif_dropout", "qa_dropout", "sinusoidal_pos_embds"] {
                #expect(object[key] != nil, "missing \(key)")
            }
            for key in ["hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "hidden_act",
                        "hidden_dropout_prob", "attention_probs_dropout_prob", "classifier_dropout",
                        "layer_norm_eps", "type_vocab_size"] {
                #expect(object[key] == nil, "unexpected \(key)")
            }
            #expect(object["model_type"] as? String == "distilbert")
            #expect(object["dim"] as? Int == 32)
            #expect(object["transformers_version"] as? String == "5.23.0")

            let reread = try ModelConfig(contentsOf: url)
            #expect(reread == distil)
            let back = reread.converted(to: .bert)
            #expect(back.architectures == bert.architectures)
            #expect(back.typeVocabSize == 2)
            let dimensions: (ModelConfig) -> [Int] = {
                [$0.hiddenSize, $0.layerCount, $0.headCount, $0.intermediateSize, $0.vocabSize, $0.maxPositions]
            }
            #expect(dimensions(back) == dimensions(bert))
        }
    }

    @Test func convertsDistilBertToBertKeys() throws {
        let bert = try ModelConfig(contentsOf: Self.tinyDistilBert).converted(to: .bert)
        #expect(bert.architectures == ["BertForSequenceClassification"])
        try withScratchDirectory { directory in
            let url = directory.appendingPathComponent("config.json")
            try bert.write(to: url)
            let object = try jsonObject(url)
            #expect(object["hidden_size"] as? Int == 32)
            #expect(object["num_hidden_layers"] as? Int == 2)
            #expect(object["type_vocab_size"] as? Int == 2)
            #expect(object["layer_norm_eps"] as? Double == 1e-12)
            #expect(object["dim"] == nil && object["n_layers"] == nil && object["seq_classif_dropout"] == nil)
        }
    }

    @Test func missingOptionalKeysTakeTransformersDefaults() throws {
        try withScratchDirectory { directory in
            let url = directory.appendingPathComponent("config.json")
            try Data(#"""
                {"model_type": "bert", "hidden_size": 64, "num_hidden_layers": 1, "num_attention_heads": 2,
                 "intermediate_size": 128, "vocab_size": 50, "num_labels": 4, "torch_dtype": "float16"}
                """#.utf8).write(to: url)
            let config = try ModelConfig(contentsOf: url)
            var expected = ModelConfig(
                modelType: .bert, hiddenSize: 64, layerCount: 1, headCount: 2, intermediateSize: 128, vocabSize: 50)
            expected.id2label = [0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2", 3: "LABEL_3"]
            expected.dtype = "float16"
            #expect(config == expected)
            #expect(config.hiddenDropout == 0.1 && config.maxPositions == 512 && config.typeVocabSize == 2)
            #expect(config.extraKeys.isEmpty)
        }
    }

    /// A per-layer entry without `head_size` takes the original head size, hidden / heads (32 / 4).
    @Test func layerDimensionsDefaultToTheOriginalHeadSize() throws {
        try withScratchDirectory { directory in
            let url = directory.appendingPathComponent("config.json")
            let json = Self.bertJSON(adding: #", "distill_layer_dimensions": [{"heads": 1, "intermediate_size": 9}, "#
                + #"{"heads": 3, "head_size": 4, "intermediate_size": 64}]"#)
            try Data(json.utf8).write(to: url)
            let config = try ModelConfig(contentsOf: url)
            #expect(config.layerDimensions == [LayerDimensions(headCount: 1, headSize: 8, intermediateSize: 9),
                                               LayerDimensions(headCount: 3, headSize: 4, intermediateSize: 64)])
            #expect(config.dimensions(ofLayer: 1) == LayerDimensions(headCount: 3, headSize: 4, intermediateSize: 64))
            #expect(config.extraKeys.isEmpty)
        }
    }

    /// Writes `json` as a config and returns the error reading it raises, after checking it names the file.
    private func readingError(_ json: String) throws -> ModelConfigError.Fault {
        var fault: ModelConfigError.Fault?
        try withScratchDirectory { directory in
            let url = directory.appendingPathComponent("config.json")
            try Data(json.utf8).write(to: url)
            let error = try #require(throws: ModelConfigError.self) { try ModelConfig(contentsOf: url) }
            #expect(error.file == url)
            #expect(error.description.hasPrefix(url.path + ": "))
            fault = error.fault
        }
        return try #require(fault)
    }

    /// A minimal valid BERT config with `old` replaced by `new` and `extra` members appended.
    private static func bertJSON(
        replacing old: String = "", with new: String = "", adding extra: String = ""
    ) -> String {
        let members = #"""
            "model_type": "bert", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
            "intermediate_size": 64, "vocab_size": 100
            """#
        return "{" + (old.isEmpty ? members : members.replacingOccurrences(of: old, with: new)) + extra + "}"
    }

    @Test func missingHiddenSizeIsNamed() throws {
        #expect(try readingError(Self.bertJSON(replacing: "\"hidden_size\": 32,")) == .missingKey("hidden_size"))
    }

    @Test func missingDistilBertDimIsNamedInItsVocabulary() throws {
        let json = #"""
            {"model_type": "distilbert", "hidden_size": 32, "n_layers": 2, "n_heads": 4, "hidden_dim": 64,
             "vocab_size": 9}
            """#
        #expect(try readingError(json) == .missingKey("dim"))
    }

    @Test(arguments: [
        (bertJSON(replacing: "\"hidden_size\": 32", with: "\"hidden_size\": \"32\""),
         ModelConfigError.Fault.wrongType(key: "hidden_size", expected: "an integer", found: "a string (\"32\")")),
        (bertJSON(replacing: "\"hidden_size\": 32", with: "\"hidden_size\": null"),
         .wrongType(key: "hidden_size", expected: "an integer", found: "null")),
        (bertJSON(adding: ", \"num_labels\": 2.5"),
         .wrongType(key: "num_labels", expected: "an integer", found: "a number (2.5)")),
        (bertJSON(adding: ", \"hidden_dropout_prob\": true"),
         .wrongType(key: "hidden_dropout_prob", expected: "a number", found: "a boolean (true)")),
        (bertJSON(adding: ", \"architectures\": [\"A\", 1]"),
         .wrongType(key: "architectures", expected: "an array of strings", found: "an array")),
    ])
    func wrongTypeIsNamed(json: String, expected: ModelConfigError.Fault) throws {
        #expect(try readingError(json) == expected)
    }

    @Test func badJSONIsReported() throws {
        guard case .invalidJSON = try readingError("{\"model_type\": \"bert\",") else {
            Issue.record("expected invalidJSON")
            return
        }
        #expect(try readingError("[1, 2]") == .notAnObject)
    }

    /// The message lists the registered families (the test family is registered first, so that the list does not
    /// depend on which tests ran before).
    @Test func unsupportedModelTypeIsNamed() throws {
        try ModelType.register(ToyBert.self)
        #expect(try readingError(#"{"model_type": "roberta"}"#) == .invalidValue(
            key: "model_type", reason: "unsupported model type \"roberta\" (supported: bert, distilbert, toy-bert)"))
    }

    /// Non-finite numbers are written as Python's `json` writes them, which transformers reads back (`null` would
    /// read back as a missing value).
    @Test func nonFiniteNumbersAreWrittenAsPythonWritesThem() throws {
        var config = ModelConfig(modelType: .bert, hiddenSize: 8, layerCount: 1, headCount: 2, intermediateSize: 8,
                                 vocabSize: 9)
        config.initializerRange = .nan
        config.layerNormEps = -.infinity
        config.hiddenDropout = .infinity
        try withScratchDirectory { directory in
            let url = directory.appendingPathComponent("config.json")
            try config.write(to: url)
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(text.contains("\"initializer_range\": NaN,\n"))
            #expect(text.contains("\"layer_norm_eps\": -Infinity,\n"))
            #expect(text.contains("\"hidden_dropout_prob\": Infinity,\n"))
        }
    }

    /// A key we do not interpret may hold what Python writes for a non-finite float; it reads and writes back.
    @Test func nonFiniteExtraKeysRoundTrip() throws {
        try withScratchDirectory { directory in
            let url = directory.appendingPathComponent("config.json")
            try Data(Self.bertJSON(adding: #", "custom_scale": -Infinity, "custom_list": [NaN, 1.5]"#).utf8)
                .write(to: url)
            let config = try ModelConfig(contentsOf: url)
            try config.write(to: url)
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(text.contains("\"custom_scale\": -Infinity"))
            #expect(text.contains("NaN"))
            #expect(try ModelConfig(contentsOf: url).extraKeys == config.extraKeys)
        }
    }

    @Test func headsMustDivideHiddenSize() throws {
        let json = Self.bertJSON(replacing: "\"num_attention_heads\": 4", with: "\"num_attention_heads\": 5")
        #expect(try readingError(json)
            == .invalidValue(key: "num_attention_heads", reason: "5 heads do not divide the hidden size 32"))
    }

    @Test(arguments: [
        (bertJSON(adding: ", \"hidden_act\": \"swiglu\""), "hidden_act"),
        (bertJSON(adding: ", \"hidden_dropout_prob\": 1.5"), "hidden_dropout_prob"),
        (bertJSON(adding: ", \"layer_norm_eps\": 0"), "layer_norm_eps"),
        (bertJSON(adding: ", \"id2label\": {\"x\": \"a\"}"), "id2label"),
        (bertJSON(adding: ", \"label2id\": {\"a\": 0, \"b\": 0}"), "label2id"),
        // Found by fuzzing: a number beyond Double's range was written back as Infinity (not JSON), and two keys
        // naming the same id trapped.
        (bertJSON(adding: ", \"layer_norm_eps\": 1e400"), "layer_norm_eps"),
        (bertJSON(adding: ", \"initializer_range\": -1e400"), "initializer_range"),
        (bertJSON(adding: ", \"initializer_range\": NaN"), "initializer_range"),
        (bertJSON(adding: ", \"layer_norm_eps\": Infinity"), "layer_norm_eps"),
        (bertJSON(adding: ", \"id2label\": {\"1\": \"a\", \"01\": \"b\"}"), "id2label"),
        // Also found by fuzzing: three billion labels asked for 72 GB of label names.
        (bertJSON(adding: ", \"num_labels\": 3000000000"), "num_labels"),
        (bertJSON(adding: ", \"problem_type\": \"ranking\""), "problem_type"),
        (bertJSON(replacing: "\"vocab_size\": 100", with: "\"vocab_size\": 0"), "vocab_size"),
        (bertJSON(adding: #", "distill_layer_dimensions": [{"heads": 1, "head_size": 8, "intermediate_size": 9}]"#),
         "distill_layer_dimensions"),
        (bertJSON(adding: #", "distill_layer_dimensions": [{"heads": 1, "head_size": 8}, {}]"#),
         "distill_layer_dimensions"),
    ])
    func invalidValueIsNamed(json: String, key: String) throws {
        let fault = try readingError(json)
        guard case .invalidValue(key: key, _) = fault else {
            Issue.record("expected an invalid value of \(key), got \(fault)")
            return
        }
    }

    @Test func missingFileIsAnIOError() throws {
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/config.json")
        let error = try #require(throws: ModelConfigError.self) { try ModelConfig(contentsOf: url) }
        guard case .io = error.fault else {
            Issue.record("expected an I/O fault, got \(error)")
            return
        }
    }
}
