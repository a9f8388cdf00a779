import Foundation
import Models
import Tensors
import TestSupport
import Testing

/// `distill quantize` run as the built binary: a quantized teacher embeds as the float32 one does, the CPU
/// check (`ONEDNN_MAX_CPU_ISA` caps what oneDNN may use), and the refusal to train a quantized model.
@Suite(.enabled(if: CommandLine.distillBinary != nil, "the distill executable is not next to the test bundle"))
struct QuantizeCommandTests {
    static let sentences = ["A charming, witty journey.", "The plot is dull and the acting worse.", "It rained."]

    /// Embeddings that `distill embed --model directory` prints for the sentences.
    static func embeddings(_ directory: URL, environment: [String: String] = [:]) throws -> (status: Int32, rows: [[Double]], errors: String) {
        let input = sentences.map { "{\"text\": \"\($0)\"}\n" }.joined()
        let run = try CommandLine.runDistill(["embed", "--model", directory.path], input: input, environment: environment)
        let rows = run.output.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["embedding"] as? [Double]
        }
        return (run.status, rows, run.errors)
    }

    /// The teacher quantized to `format`, read through a symbolic link to its directory when `throughLink` is set.
    static func quantizedTeacher(_ format: String, into scratch: ScratchDirectory, throughLink: Bool = false) throws -> URL {
        let output = scratch.path(format)
        var model = try Teacher.directory()
        if throughLink {
            let link = scratch.path("linked-teacher")
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: model)
            model = link
        }
        let run = try CommandLine.runDistill(["quantize", "--model", model.path, "--output", output.path, "--\(format)"])
        try #require(run.status == 0, "quantize --\(format): \(run.errors)")
        return output
    }

    /// The quantized teacher's embeddings point where the float32 ones do (the thresholds of the library test);
    /// the tokenizer and sentence-transformers files come along, also from a linked directory.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ONEDNN_MAX_CPU_ISA"] == nil),
          arguments: [("int8", 0.99, true), ("bf16", 0.999, false)])
    func quantizedTeacherEmbedsLikeTheOriginal(format: String, minimumCosine: Double, throughLink: Bool) throws {
        let scratch = try ScratchDirectory()
        let quantized = try Self.quantizedTeacher(format, into: scratch, throughLink: throughLink)
        for file in ["vocab.txt", "tokenizer.json", "sentence_bert_config.json"] {
            #expect(FileManager.default.fileExists(atPath: quantized.appendingPathComponent(file).path), "\(file) not copied")
        }
        let (reference, actual) = (try Self.embeddings(try Teacher.directory()), try Self.embeddings(quantized))
        #expect(actual.status == 0, "\(actual.errors)")
        try #require(actual.rows.count == Self.sentences.count && reference.rows.count == Self.sentences.count)
        for (a, b) in zip(actual.rows, reference.rows) {
            let cosine = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }  // both unit length
            #expect(cosine >= minimumCosine, "\(format): cosine \(cosine)")
        }
    }

    /// With oneDNN capped to AVX2 (no VNNI, no BF16), quantizing and running an int8 model say what is missing.
    @Test func withoutVNNITheCommandsSayWhatTheyNeed() throws {
        let scratch = try ScratchDirectory()
        let capped = ["ONEDNN_MAX_CPU_ISA": "AVX2"]
        let refused = try CommandLine.runDistill(
            ["quantize", "--model", try Teacher.directory().path, "--output", scratch.path("refused").path, "--int8"], environment: capped)
        #expect(refused.status != 0)
        #expect(refused.errors.contains("--int8") && refused.errors.contains("AVX512-VNNI"), "\(refused.errors)")
        let bf16 = try CommandLine.runDistill(
            ["quantize", "--model", try Teacher.directory().path, "--output", scratch.path("refused").path, "--bf16"], environment: capped)
        #expect(bf16.status != 0 && bf16.errors.contains("AVX512-BF16"), "\(bf16.errors)")

        guard ProcessInfo.processInfo.environment["ONEDNN_MAX_CPU_ISA"] == nil else { return }
        let int8 = try Self.quantizedTeacher("int8", into: scratch)
        let run = try Self.embeddings(int8, environment: capped)
        #expect(run.status != 0 && run.rows.isEmpty)
        #expect(run.errors.contains("int8_dynamic") && run.errors.contains("AVX512-VNNI"), "\(run.errors)")
    }

    @Test func theFormatIsRequiredAndSingle() throws {
        let teacher = try Teacher.directory().path
        let none = try CommandLine.runDistill(["quantize", "--model", teacher, "--output", "/nonexistent/q"])
        #expect(none.status != 0 && none.errors.contains("--int8"), "\(none.errors)")
        let both = try CommandLine.runDistill(["quantize", "--model", teacher, "--output", "/nonexistent/q", "--int8", "--bf16"])
        #expect(both.status != 0, "\(both.errors)")
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["ONEDNN_MAX_CPU_ISA"] == nil))
    func aQuantizedModelIsNeitherTrainedNorCutIntoAStudent() throws {
        let scratch = try ScratchDirectory()
        let int8 = try Self.quantizedTeacher("int8", into: scratch)
        let train = scratch.path("train.tsv")
        try "sentence\tlabel\na fine film\t1\na bad film\t0\n".write(to: train, atomically: true, encoding: .utf8)
        let run = try CommandLine.runDistill(["finetune", "--model", int8.path, "--train", train.path, "--task", "sst2",
                                              "--output", scratch.path("run").path])
        #expect(run.status != 0)
        #expect(run.errors.contains("quantized") && run.errors.contains("float32 original"), "\(run.errors)")
        let student = try CommandLine.runDistill(["student", "--teacher", int8.path, "--output", scratch.path("student").path])
        #expect(student.status != 0)
        #expect(student.errors.contains("is quantized") && student.errors.contains("float32 original"), "\(student.errors)")
    }

    /// `eval` shows a classifier beside its int8 and bf16 copies (format and size), and `predict` answers
    /// with the int8 one. The classifier is the teacher with a fresh two-class head.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ONEDNN_MAX_CPU_ISA"] == nil))
    func evalAndPredictRunQuantizedClassifiers() throws {
        let scratch = try ScratchDirectory()
        let teacher = try Teacher.directory()
        let fp32 = scratch.path("fp32")
        try SequenceClassifier.load(from: teacher, adjustingConfig: { $0.id2label = [0: "NEGATIVE", 1: "POSITIVE"] }).model.save(to: fp32)
        for file in ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"] {
            try FileManager.default.copyItem(at: teacher.appendingPathComponent(file), to: fp32.appendingPathComponent(file))
        }
        var models = [fp32.path]
        for format in ["int8", "bf16"] {
            let output = scratch.path(format)
            let run = try CommandLine.runDistill(["quantize", "--model", fp32.path, "--output", output.path, "--\(format)"])
            try #require(run.status == 0, "\(run.errors)")
            models.append(output.path)
        }
        let data = scratch.path("dev.tsv")
        try "sentence\tlabel\na fine film\t1\na bad film\t0\ngood\t1\nawful\t0\n".write(to: data, atomically: true, encoding: .utf8)
        let json = scratch.path("eval.json")
        let eval = try CommandLine.runDistill(["eval", "--data", data.path, "--task", "sst2", "--latency-examples", "2", "--json", json.path]
            + models.flatMap { ["--model", $0] })
        try #require(eval.status == 0, "\(eval.errors)")
        #expect(eval.output.contains("int8_dynamic") && eval.output.contains("bf16"), "\(eval.output)")
        let reports = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [[String: Any]])
        let footprints = reports.compactMap { $0["footprint"] as? [String: Any] }
        #expect(footprints.compactMap { $0["weight_format"] as? String } == ["fp32", "int8_dynamic", "bf16"])
        let sizes = footprints.compactMap { $0["weight_bytes"] as? Int }
        try #require(sizes.count == 3)
        // The embedding table (30522 x 384) stays fp32 in int8 and is bf16 in bf16: 65% and 50% of fp32.
        #expect(sizes[1] < sizes[0] * 2 / 3 && sizes[2] < sizes[0] * 51 / 100, "\(sizes)")

        let predict = try CommandLine.runDistill(["predict", "--model", models[1]], input: "{\"text\": \"a fine film\"}\n")
        #expect(predict.status == 0 && predict.output.contains("\"label\""), "\(predict.errors)")
    }
}
