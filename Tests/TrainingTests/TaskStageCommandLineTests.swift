import Foundation
import TestSupport
import Testing

/// `distill task --objective tinybert`: both stages in one command, resuming after the first, and the options
/// that belong to Hinton's objective refused.
@Suite(.enabled(if: CommandLine.distillBinary != nil, "the distill executable is not next to the test bundle"))
struct TaskStageCommandLineTests {
    @Test func bothStagesRunInTurnAndAFinishedFirstStageIsNotRunAgain() throws {
        let workspace = try CommandLineTests.Workspace(trainingExamples: 16)
        let (teacher, student) = (workspace.scratch.path("teacher").path, workspace.scratch.path("student").path)
        #expect(try CommandLine.runDistill(workspace.finetune(output: "teacher")).status == 0)
        #expect(try CommandLine.runDistill(["student", "--teacher", teacher, "--layers", "1", "--output", student]).status == 0)
        let output = workspace.scratch.path("tiny")
        let task = ["task", "--teacher", teacher, "--student", student, "--train", workspace.train.path,
                    "--dev", workspace.dev.path, "--output", output.path, "--objective", "tinybert", "--epochs", "1",
                    "--batch-size", "8", "--max-length", "32"]
        let both = try CommandLine.runDistill(task)
        #expect(both.status == 0, "\(both.errors)")
        #expect(both.errors.contains("tinybert intermediate: 1.0 x attention + 1.0 x hidden_mse; teacher run at every step"), "\(both.errors)")
        #expect(both.errors.contains("peak lr 5e-05 (constant)"), "\(both.errors)")
        #expect(both.errors.contains("tinybert prediction: 1.0 x soft_ce, T 1.0; teacher logits cached"), "\(both.errors)")
        #expect(both.errors.contains("peak lr 3e-05"), "\(both.errors)")
        #expect(both.output.contains("best student accuracy"), "\(both.output)")
        for stage in [output.appendingPathComponent("intermediate"), output] {
            #expect(FileManager.default.fileExists(atPath: stage.appendingPathComponent("model.safetensors").path), "\(stage.path)")
        }

        let resumed = try CommandLine.runDistill(task + ["--resume", "--stage", "both"])
        #expect(resumed.errors.contains("tinybert intermediate: finished earlier in \(output.path)/intermediate"), "\(resumed.errors)")
        #expect(!resumed.errors.contains("hidden_mse"), "\(resumed.errors)")

        let hintonOnly = try CommandLine.runDistill(task + ["--alpha", "0.3"])
        #expect(hintonOnly.status != 0 && hintonOnly.errors.contains("--alpha only applies to --objective hinton"), "\(hintonOnly.errors)")
        let stage = try CommandLine.runDistill(Array(task.dropLast(8)) + ["--stage", "prediction"])
        #expect(stage.status != 0 && stage.errors.contains("--stage only applies to --objective tinybert"), "\(stage.errors)")
    }
}
