import Foundation
import Testing
import TestSupport

/// `distill augment` end to end on the tiny teacher.
@Suite(.enabled(if: CommandLine.distillBinary != nil, "the distill executable is not next to the test bundle"))
struct AugmentCommandTests {
    @Test func augmentWritesTheFileTheSummaryAndTheRate() throws {
        try withScratchDirectory { directory in
            let teacher = directory.appendingPathComponent("teacher")
            try TinyTeacher.save(to: teacher)
            let input = directory.appendingPathComponent("in.tsv"), output = directory.appendingPathComponent("out.tsv")
            try "sentence\tlabel\nthe movie was good , fun !\t1\ngreat acting and a dull plot\t0\n"
                .write(to: input, atomically: true, encoding: .utf8)
            func augment(seed: String) throws -> String {
                let run = try CommandLine.runDistill(
                    ["augment", "--teacher", teacher.path, "--input", input.path, "--output", output.path,
                     "--per-example", "5", "--seed", seed, "--batch-size", "2"])
                #expect(run.status == 0, "\(run.errors)")
                #expect(run.output.contains("sentences/s"), "\(run.output)")
                return try String(contentsOf: output, encoding: .utf8)
            }
            let first = try augment(seed: "3")
            #expect(first.hasPrefix("sentence\tlabel\taugmented_from\nthe movie was good , fun !\t1\t\n"))
            #expect(try augment(seed: "3") == first)
            let summary = try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: output.path + ".json"))) as? [String: Any]
            #expect(summary?["rows"] as? Int == 2)
            #expect(summary?["forward_passes"] as? Int == 4)  // 7 masked words (3 + 4), 2 per pass
            #expect((summary?["sentences_per_second"] as? Double ?? 0) > 0)
        }
    }

    @Test func teacherWithoutHeadIsRefusedWithHowToMakeOne() throws {
        try withScratchDirectory { directory in
            try TinyTeacher.save(to: directory, withHead: false)
            let input = directory.appendingPathComponent("in.tsv")
            try "sentence\nthe movie\n".write(to: input, atomically: true, encoding: .utf8)
            let run = try CommandLine.runDistill(
                ["augment", "--teacher", directory.path, "--input", input.path, "--output", directory.path + "/o.tsv"])
            #expect(run.status != 0)
            #expect(run.errors.contains("has no masked-LM head"), "\(run.errors)")
            #expect(run.errors.contains("distill mlm --model \(directory.path)"), "\(run.errors)")
        }
    }

    @Test func helpCitesTinyBERTAndGivesAnExample() throws {
        let run = try CommandLine.runDistill(["augment", "--help"])
        #expect(run.status == 0)
        let help = run.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for text in ["Example:", "distill augment --teacher", "N = 20", "M = 15", "p = 0.4", "(default: 20)", "(default: 15)", "(default: 0.4)", "GloVe",
                     "dropped"] {
            #expect(help.contains(text), "\(text)")
        }
    }

    @Test func missingOutputDirectoryIsRefusedBeforeTheTeacherLoads() throws {
        let run = try CommandLine.runDistill(
            ["augment", "--teacher", "/nonexistent-teacher", "--input", "i.tsv", "--output", "/nonexistent-dir/o.tsv"])
        #expect(run.status != 0)
        #expect(run.errors.contains("--output /nonexistent-dir/o.tsv: no directory"), "\(run.errors)")
    }

    @Test func outOfRangeSettingsNameTheirOption() throws {
        let run = try CommandLine.runDistill(["augment", "--teacher", "t", "--input", "i.tsv", "--output", "o.tsv", "--p", "2"])
        #expect(run.status != 0)
        #expect(run.errors.contains("--p"), "\(run.errors)")
    }
}
