import Foundation
import TestSupport
import Testing

/// `--skip-bad-rows` wherever a labelled file is read (`finetune`, `task`, `eval`), and bad labels reported on
/// their own line instead of crashing (issues 14 and 15).
@Suite(.enabled(if: CommandLine.distillBinary != nil, "the distill executable is not next to the test bundle"))
struct SkipBadRowsCommandLineTests {
    /// Appends `rows` to a file.
    private func append(_ rows: [String], to url: URL) throws {
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((rows.joined(separator: "\n") + "\n").utf8))
    }

    @Test func badRowsAreSkippedAndReportedByEveryCommandThatReadsLabels() throws {
        let workspace = try CommandLineTests.Workspace(trainingExamples: 8)  // rows on lines 2...9
        try append(["a fine movie\tmaybe", "too\tmany\tfields"], to: workspace.train)
        try append(["a dull plot\t7"], to: workspace.dev)  // line 14
        let (train, dev) = (workspace.train.path, workspace.dev.path)

        let failing = try CommandLine.runDistill(workspace.finetune(output: "teacher"))
        #expect(failing.status == 1, "\(failing.errors)")
        #expect(failing.errors.contains("\(train):10: unknown label 'maybe' (known labels: NEGATIVE, POSITIVE)"), "\(failing.errors)")

        let finetuned = try CommandLine.runDistill(workspace.finetune(output: "teacher", ["--skip-bad-rows", "--dev", dev]))
        #expect(finetuned.status == 0, "\(finetuned.errors)")
        #expect(finetuned.errors.contains("skipped 2 bad rows of \(train) (lines 10, 11)"), "\(finetuned.errors)")
        #expect(finetuned.errors.contains("skipped 1 bad row of \(dev) (line 14)"), "\(finetuned.errors)")

        let teacher = workspace.scratch.path("teacher").path
        let evaluation = ["eval", "--model", teacher, "--data", dev, "--latency-examples", "1"]
        let evalFailing = try CommandLine.runDistill(evaluation)
        #expect(evalFailing.status == 1 && evalFailing.errors.contains("\(dev):14: label index 7 is out of range for 2 classes"),
                "\(evalFailing.errors)")
        let evaluated = try CommandLine.runDistill(evaluation + ["--skip-bad-rows"])
        #expect(evaluated.status == 0, "\(evaluated.errors)")
        #expect(evaluated.errors.contains("skipped 1 bad row of \(dev) (line 14)"), "\(evaluated.errors)")

        let student = workspace.scratch.path("student").path
        #expect(try CommandLine.runDistill(["student", "--teacher", teacher, "--layers", "1", "--output", student]).status == 0)
        let task = ["task", "--teacher", teacher, "--student", student, "--train", train, "--epochs", "1",
                    "--batch-size", "4", "--max-length", "32", "--output", workspace.scratch.path("task").path]
        let taskFailing = try CommandLine.runDistill(task)
        #expect(taskFailing.status == 1 && taskFailing.errors.contains("\(train):10: unknown label 'maybe'"), "\(taskFailing.errors)")
        let distilled = try CommandLine.runDistill(task + ["--skip-bad-rows"])
        #expect(distilled.status == 0, "\(distilled.errors)")
        #expect(distilled.errors.contains("skipped 2 bad rows of \(train) (lines 10, 11)"), "\(distilled.errors)")
    }

    /// Issue 15: this label used to kill `distill finetune` with an arithmetic overflow (exit 132).
    @Test func aHugeIntegerLabelIsAnErrorOnItsLine() throws {
        let workspace = try CommandLineTests.Workspace(trainingExamples: 8)
        try append(["bad movie\t9223372036854775807"], to: workspace.train)
        let finetune = ["finetune", "--model", workspace.model.path, "--train", workspace.train.path,
                        "--output", workspace.scratch.path("out").path, "--epochs", "1", "--max-length", "32"]
        let failing = try CommandLine.runDistill(finetune)
        #expect(failing.status == 1, "\(failing.errors)")
        #expect(failing.errors.contains("\(workspace.train.path):10: label '9223372036854775807' is too large a class index"),
                "\(failing.errors)")
        let skipping = try CommandLine.runDistill(finetune + ["--skip-bad-rows"])
        #expect(skipping.status == 0, "\(skipping.errors)")
        #expect(skipping.errors.contains("skipped 1 bad row of \(workspace.train.path) (line 10)"), "\(skipping.errors)")
    }
}
