import Foundation
import Models
import TestSupport
import Testing
import Training

/// `distill eval --task mlm` end to end, on a tiny model trained by a short `distill mlm`-style run.
@Suite(.enabled(if: CommandLine.distillBinary != nil, "the distill executable is not next to the test bundle"))
struct MaskedLanguageModelEvalCommandTests {
    let workspace: MaskedLanguageModelRunTests.Workspace
    var trained: String { workspace.scratch.path("saved").path }

    init() throws {
        workspace = try MaskedLanguageModelRunTests.Workspace()
        _ = try workspace.run(output: "saved", steps: 3, freezeEncoder: true).train()
    }

    private func eval(_ extra: [String], model: String? = nil, data: String? = nil)
        throws -> (status: Int32, output: String, errors: String)
    {
        try CommandLine.runDistill(
            ["eval", "--task", "mlm", "--model", model ?? trained, "--data", data ?? workspace.heldOut, "--max-length", "12"]
                + extra)
    }

    /// The first report of a `--json` file.
    private func report(_ path: URL) throws -> [String: Any] {
        let reports = try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [[String: Any]]
        return try #require(reports?.first)
    }

    @Test func reportsTheHeldOutMetricsOfTheTrainingRunWhateverTheBatchSize() throws {
        var results: [[String: Any]] = []
        for batchSize in ["4", "3"] {
            let json = workspace.scratch.path("eval-\(batchSize).json")
            let result = try eval(["--batch-size", batchSize, "--json", json.path])
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output.contains("masked accuracy") && result.output.contains("MLM loss"), "\(result.output)")
            results.append(try report(json))
        }
        // The masks are a function of each sequence's tokens, not of the batching: the same tokens are masked,
        // and the loss (near 3) differs only by padding's effect on float sums (3e-8 observed).
        #expect(results[0]["masked_tokens"] as? Int == results[1]["masked_tokens"] as? Int)
        let losses = results.compactMap { $0["mlm_loss"] as? Double }
        #expect(losses.count == 2 && abs(losses[0] - losses[1]) <= 1e-6, "\(losses)")
        #expect((results[0]["masked_tokens"] as? Int ?? 0) > 10)

        // The same number as the held-out evaluation of `distill mlm` (same evaluator, same masking seed), up to
        // the thread count (one in the CLI here): 4e-7 observed.
        let (model, tokenizer) = try MaskedTokenEvaluator.loadModel(from: URL(fileURLWithPath: trained), maxLength: 12)
        let evaluator = try MaskedTokenEvaluator(
            url: URL(fileURLWithPath: workspace.heldOut), tokenizer: tokenizer, maxLength: 12, maxSequences: 512, batchSize: 64)
        let inProcess = try evaluator.evaluate(model)
        #expect(abs((inProcess["mlm_loss"] ?? 0) - losses[0]) <= 2e-6)
    }

    @Test func aModelWithoutMaskedLanguageModelHeadIsRefusedWithTheWayToMakeOne() throws {
        let result = try eval([], model: workspace.model.path)
        #expect(result.status != 0)
        #expect(result.errors.contains("has no masked-LM head") && result.errors.contains("distill mlm --model"), "\(result.errors)")
    }

    @Test func badTextIsAnErrorNamingTheLineOrSkippedAndCounted() throws {
        let bad = workspace.scratch.path("bad.txt")
        try Data("the movie was good\n".utf8 + [0xFF, 0xFE, 0x0A] + "a dull plot\n".utf8).write(to: bad)
        let refused = try eval([], data: bad.path)
        #expect(refused.status != 0 && refused.errors.contains("bad.txt:2: not valid UTF-8"), "\(refused.errors)")
        let json = workspace.scratch.path("skipped.json")
        let skipped = try eval(["--skip-bad-rows", "--json", json.path], data: bad.path)
        #expect(skipped.status == 0, "\(skipped.errors)")
        #expect(skipped.errors.contains("skipped 1 of the lines of"), "\(skipped.errors)")
        #expect(try report(json)["skipped_lines"] as? Int == 1)

        let empty = workspace.scratch.path("empty.txt")
        try Data("\n\n".utf8).write(to: empty)
        let none = try eval([], data: empty.path)
        #expect(none.status != 0 && none.errors.contains("empty.txt: no text"), "\(none.errors)")
    }

    @Test func optionsThatDoNotApplyAreRefused() throws {
        let metric = try eval(["--metric", "accuracy"])
        #expect(metric.status != 0 && metric.errors.contains("--metric applies to classification tasks only"), "\(metric.errors)")
        let paragraphs = try CommandLine.runDistill(
            ["eval", "--model", trained, "--data", workspace.heldOut, "--paragraphs"])
        #expect(paragraphs.status != 0 && paragraphs.errors.contains("--paragraphs applies to --task mlm only"), "\(paragraphs.errors)")
        let tooLong = try eval(["--max-length", "100"])
        #expect(tooLong.errors.contains("--max-length 100 exceeds the model's 64 positions"), "\(tooLong.errors)")
    }

    @Test func logitsAreWrittenForTheRoundTripScript() throws {
        let logits = workspace.scratch.path("logits.jsonl")
        let result = try eval(["--max-sequences", "2", "--logits", logits.path])
        #expect(result.status == 0, "\(result.errors)")
        let lines = try String(contentsOf: logits, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let ids = try #require(record["input_ids"] as? [Int])
        let rows = try #require(record["logits"] as? [[Double]])
        #expect(rows.count == ids.count && rows.allSatisfy { $0.count == 21 })
    }
}
