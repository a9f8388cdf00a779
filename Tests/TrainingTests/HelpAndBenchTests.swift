import Foundation
import Testing
import TestSupport

/// `distill --help` and every subcommand's help read as the parser wraps them, and `distill bench` without the
/// quick-start teacher.
@Suite(.enabled(if: CommandLine.distillBinary != nil, "the distill executable is not next to the test bundle"))
struct HelpAndBenchTests {
    /// The help of `distill` followed by `command`, unwrapped: so wide a terminal that every paragraph and every
    /// option's help is one line, and any other line break is one written in the help text.
    static func unwrappedHelp(_ command: [String]) throws -> String {
        let run = try CommandLine.runDistill(command + ["--help"], environment: ["COLUMNS": "10000"])
        try #require(run.status == 0, "distill \(command) --help: \(run.errors)")
        return run.output
    }

    static func indentation(_ line: Substring) -> Int { line.prefix { $0 == " " }.count }

    /// Line breaks that are not paragraph breaks: two prose lines in a row in the overview (examples are indented;
    /// a line ending in ":" introduces them), an example line too long for an 80-column terminal, or an option
    /// whose help continues on a line of its own.
    static func strayLineBreaks(in help: String) -> [String] {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
        let usage = lines.firstIndex { $0.hasPrefix("USAGE:") } ?? lines.endIndex
        var problems: [String] = []
        for (previous, line) in zip(lines[..<usage], lines[..<usage].dropFirst()) {
            if !previous.isEmpty, !line.isEmpty, indentation(previous) == 0, indentation(line) == 0, !previous.hasSuffix(":") {
                problems.append("break inside a paragraph: \"\(previous.suffix(30))\" / \"\(line.prefix(30))\"")
            }
            if indentation(line) > 0 && line.count > 80 { problems.append("example wider than 80 columns: \(line)") }
        }
        for (previous, line) in zip(lines[usage...], lines[usage...].dropFirst()) where indentation(line) > 2 {
            // Only an option name too long for the column ends its line and has its help on the next.
            let nameOnly = indentation(previous) == 2 && !previous.dropFirst(2).contains("  ")
            if !nameOnly { problems.append("option help broken across lines: \"\(line.trimmingCharacters(in: .whitespaces))\"") }
        }
        return problems
    }

    @Test func noHelpTextBreaksInsideAParagraph() throws {
        let top = try Self.unwrappedHelp([])
        let section = top.split(separator: "\n").drop { $0 != "SUBCOMMANDS:" }.dropFirst()
        let subcommands = section.prefix { !$0.isEmpty }.compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(subcommands.contains("bench") && subcommands.contains("task"), "\(top)")
        var problems = Self.strayLineBreaks(in: top).map { "distill: \($0)" }
        for subcommand in subcommands {
            problems += try Self.strayLineBreaks(in: Self.unwrappedHelp([subcommand])).map { "distill \(subcommand): \($0)" }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func topLevelHelpShowsTheDistillationPipeline() throws {
        let help = try Self.unwrappedHelp([])
        let steps = ["distill finetune", "distill student", "distill task", "distill eval"].map { help.range(of: $0)?.lowerBound }
        #expect(steps.allSatisfy { $0 != nil }, "\(help)")
        #expect(steps.compactMap { $0 } == steps.compactMap { $0 }.sorted(), "the steps are out of order")
    }

    @Test func benchWithoutTheTeacherSkipsTheTokenizerAndMeasuresTheRest() throws {
        let scratch = try ScratchDirectory()
        let missing = scratch.path("cache/all-MiniLM-L6-v2").path
        let json = scratch.path("bench.json")
        let run = try CommandLine.runDistill(["bench", "--repeats", "1", "--tokenizer", missing, "--json", json.path])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.errors.contains("skipping the tokenizer measurement: \(missing) not found"), "\(run.errors)")
        #expect(run.output.contains("train step b32 x s64"), "\(run.output)")
        #expect(run.output.contains("skipped: \(missing) not found"), "\(run.output)")
        let results = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        #expect((results["train_tokens_per_s_b32_s64"] as? Double ?? 0) > 0)
        #expect((results["general_distill_tokens_per_s"] as? Double ?? 0) > 0)
        #expect(run.output.contains("general distillation step b16 x s128"), "\(run.output)")
        // The quantized rows (skipped only on a CPU without VNNI or AVX512-BF16, as oneDNN sees it).
        for (key, scheme) in [("forward_tokens_per_s_b32_s128_int8", "int8_dynamic"), ("forward_latency_ms_b1_s128_int8", "int8_dynamic"),
                              ("forward_tokens_per_s_b32_s128_bf16", "bf16"), ("forward_latency_ms_b1_s128_bf16", "bf16")] {
            let skipped = run.output.split(separator: "\n").contains { $0.hasPrefix("forward \(scheme) ") && $0.contains("skipped") }
            #expect((results[key] as? Double ?? 0) > 0 || skipped, "\(key)")
            // With each scheme's linear-layer rates at both matmul shapes, and the share of them the forward reaches.
            let rates = (results["quantized_matmul_gflops"] as? [String: Any])?[scheme] as? [String: Double] ?? [:]
            #expect(skipped || (rates.count == 2 && rates.values.allSatisfy { $0 > 0 }), "\(scheme): \(rates)")
            let share = (results["forward_fraction_of_quantized_matmul_rate"] as? [String: Double])?[scheme]
            #expect(skipped || (share ?? 0) > 0, "\(scheme)")
        }
        // The bf16 training step, skipped likewise.
        let bf16Skipped = run.output.split(separator: "\n").contains { $0.contains("train step b32 x s64 bf16") && $0.contains("skipped") }
        #expect((results["train_tokens_per_s_b32_s64_bf16"] as? Double ?? 0) > 0 || bf16Skipped, "\(run.output)")
        #expect(results["tokenizer_mb_per_s"] == nil)
    }
}
