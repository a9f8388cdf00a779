import Foundation
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

    static func quantizedTeacher(_ format: String, into scratch: ScratchDirectory) throws -> URL {
        let output = scratch.path(format)
        let run = try CommandLine.runDistill(["quantize", "--model", try Teacher.directory().path, "--output", output.path, "--\(format)"])
        try #require(run.status == 0, "quantize --\(format): \(run.errors)")
        return output
    }

    /// The quantized teacher's embeddings point where the float32 ones do (the thresholds of the library test).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ONEDNN_MAX_CPU_ISA"] == nil),
          arguments: [("int8", 0.99), ("bf16", 0.999)])
    func quantizedTeacherEmbedsLikeTheOriginal(format: String, minimumCosine: Double) throws {
        let scratch = try ScratchDirectory()
        let quantized = try Self.quantizedTeacher(format, into: scratch)
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
    func aQuantizedModelIsNotTrained() throws {
        let scratch = try ScratchDirectory()
        let int8 = try Self.quantizedTeacher("int8", into: scratch)
        let train = scratch.path("train.tsv")
        try "sentence\tlabel\na fine film\t1\na bad film\t0\n".write(to: train, atomically: true, encoding: .utf8)
        let run = try CommandLine.runDistill(["finetune", "--model", int8.path, "--train", train.path, "--task", "sst2",
                                              "--output", scratch.path("run").path])
        #expect(run.status != 0)
        #expect(run.errors.contains("quantized") && run.errors.contains("float32 original"), "\(run.errors)")
    }
}
