import Foundation
import Models
import TestSupport
import Testing

/// `distill prune` and `distill prune-sweep` end to end on a tiny fine-tuned classifier: the pruned model, compact
/// or filled, runs in `eval` and `predict`, and the compact one in `embed`, `student`, `finetune` and as the
/// student of `task`; bad options are named.
@Suite(.enabled(if: CommandLine.distillBinary != nil, "the distill executable is not next to the test bundle"))
struct PruneCommandTests {
    @Test func pruneThenEvaluatePredictAndRecover() throws {
        let workspace = try CommandLineTests.Workspace(trainingExamples: 24)
        #expect(try CommandLine.runDistill(workspace.finetune(output: "teacher")).status == 0)
        let teacher = workspace.scratch.path("teacher").path
        let prune = ["prune", "--model", teacher, "--data", workspace.train.path, "--heads-keep", "0.5", "--ffn-keep", "0.5",
                     "--max-length", "32"]
        for (name, extra) in [("compact", ["--iterations", "2"]), ("filled", ["--filled", "--importance", "kl"])] {
            let output = workspace.scratch.path(name).path
            let run = try CommandLine.runDistill(prune + ["--output", output] + extra)
            #expect(run.status == 0, "\(run.errors)")
            #expect(run.output.contains("4 -> 2") || name == "filled", "\(run.output)")
            let config = try ModelConfig(contentsOf: workspace.scratch.path("\(name)/config.json"))
            #expect((config.layerDimensions == nil) == (name == "filled"))
            #expect(config.layerDimensions.map { $0.map(\.headCount).reduce(0, +) } ?? 4 == 4)
            let evaluated = try CommandLine.runDistill(["eval", "--model", output, "--data", workspace.dev.path,
                                                        "--latency-examples", "2"])
            #expect(evaluated.status == 0, "\(evaluated.errors)")
            let predicted = try CommandLine.runDistill(["predict", "--model", output], input: "{\"text\": \"great fun\"}\n")
            #expect(predicted.status == 0 && predicted.output.contains("\"label\""), "\(predicted.errors)")
        }
        let compact = workspace.scratch.path("compact").path
        let embedded = try CommandLine.runDistill(["embed", "--model", compact], input: "{\"text\": \"great fun\"}\n")
        #expect(embedded.status == 0 && embedded.output.contains("["), "\(embedded.errors)")
        let student = try CommandLine.runDistill(["student", "--teacher", compact, "--layers", "1",
                                                  "--output", workspace.scratch.path("student").path])
        #expect(student.status == 0, "\(student.errors)")
        let studentConfig = try ModelConfig(contentsOf: workspace.scratch.path("student/config.json"))
        let prunedLayers = try ModelConfig(contentsOf: workspace.scratch.path("compact/config.json")).layerDimensions
        #expect(studentConfig.layerDimensions == prunedLayers.map { [$0[1]] })
        let finetuned = try CommandLine.runDistill(
            ["finetune", "--model", compact, "--train", workspace.train.path, "--output", workspace.scratch.path("finetuned").path,
             "--epochs", "1", "--batch-size", "8", "--max-length", "32"])
        #expect(finetuned.status == 0, "\(finetuned.errors)")
        let recovered = try CommandLine.runDistill(
            ["task", "--teacher", teacher, "--student", workspace.scratch.path("compact").path, "--train", workspace.train.path,
             "--output", workspace.scratch.path("recovered").path, "--epochs", "1", "--batch-size", "8", "--max-length", "32",
             "--hidden-mse-weight", "1"])
        #expect(recovered.status == 0, "\(recovered.errors)")
    }

    @Test func badOptionsAreNamed() throws {
        let workspace = try CommandLineTests.Workspace(trainingExamples: 8)
        #expect(try CommandLine.runDistill(workspace.finetune(output: "teacher")).status == 0)
        let unlabelled = workspace.scratch.path("unlabelled.tsv")
        try Data("sentence\nthe movie was great\na dull plot\n".utf8).write(to: unlabelled)
        let prune = ["prune", "--model", workspace.scratch.path("teacher").path, "--output", workspace.scratch.path("out").path,
                     "--max-length", "32"]
        for (keep, value) in [("--heads-keep", "0"), ("--ffn-keep", "1.5")] {
            let options = ["--heads-keep", "0.5", "--ffn-keep", "0.5", keep, value, "--data", workspace.train.path]
            let run = try CommandLine.runDistill(prune + options)
            #expect(run.status != 0 && run.errors.contains("\(keep) must be in (0, 1], got \(Double(value)!)"), "\(run.errors)")
        }
        let keeps = ["--heads-keep", "0.5", "--ffn-keep", "0.5", "--data", unlabelled.path]
        let gradient = try CommandLine.runDistill(prune + keeps)
        #expect(gradient.status != 0 && gradient.errors.contains("without labels; --importance gradient needs them"), "\(gradient.errors)")
        #expect(try CommandLine.runDistill(prune + keeps + ["--importance", "random"]).status == 0)
        let sweep = try CommandLine.runDistill(
            ["prune-sweep", "--model", workspace.scratch.path("teacher").path, "--data", unlabelled.path,
             "--dev", workspace.dev.path, "--importance", "kl,random", "--fractions", "0,0.5", "--max-length", "32",
             "--output", workspace.scratch.path("sweep").path])
        #expect(sweep.status == 0, "\(sweep.errors)")
        let svg = try String(contentsOf: workspace.scratch.path("sweep/sweep.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("polyline") && svg.contains(">kl<") && svg.contains(">random<"))
    }
}
