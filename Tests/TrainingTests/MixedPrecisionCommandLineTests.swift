import Foundation
import Tensors
import TestSupport
import Testing

/// `--bf16` on the training commands (and `mlm`, which shares their options), run as the built binary: documented
/// in each one's help, trains, and with oneDNN capped to AVX2 (`ONEDNN_MAX_CPU_ISA`: no AVX512-BF16, no AMX)
/// stops saying what the CPU lacks.
@Suite(.enabled(if: CommandLine.distillBinary != nil, "the distill executable is not next to the test bundle"))
struct MixedPrecisionCommandLineTests {
    static let commands = ["finetune", "task", "general"]

    @Test(arguments: commands + ["mlm"]) func theHelpSaysWhatStaysF32AndWhatTheCPUNeeds(command: String) throws {
        let help = try HelpAndBenchTests.unwrappedHelp([command])
        let line = try #require(help.split(separator: "\n").first { $0.contains("--bf16") }, "\(help)")
        for words in ["master weights", "AdamW's state", "reductions stay f32", "AVX512-BF16", "AMX-BF16", "error"] {
            #expect(line.contains(words), "\(command): \(line)")
        }
    }

    @Test(arguments: commands) func withoutBF16InstructionsTheCommandSaysSo(command: String) throws {
        let scratch = try ScratchDirectory()
        let missing = scratch.path("missing").path
        let arguments: [String] = switch command {
        case "finetune": ["finetune", "--model", missing, "--train", missing]
        case "task": ["task", "--teacher", missing, "--student", missing, "--train", missing]
        default: ["general", "--teacher", missing, "--student", missing, "--corpus", missing, "--objective", "tinybert", "--max-steps", "1"]
        }
        let run = try CommandLine.runDistill(arguments + ["--output", scratch.path("out").path, "--bf16"],
                                             environment: ["ONEDNN_MAX_CPU_ISA": "AVX2"])
        #expect(run.status != 0)
        #expect(run.errors.contains("--bf16 cannot run on this CPU") && run.errors.contains("AVX512-BF16 or AMX-BF16"), "\(run.errors)")
    }

    @Test(.enabled(if: MatmulPrecision.bf16.missingSupport() == nil)) func finetuneTrainsWithBF16() throws {
        let workspace = try CommandLineTests.Workspace(trainingExamples: 16)
        let run = try CommandLine.runDistill(workspace.finetune(output: "mixed", ["--bf16", "--max-steps", "3"]))
        #expect(run.status == 0 && run.errors.contains("bf16 matmuls (master weights f32)"), "\(run.errors)")
        #expect(FileManager.default.fileExists(atPath: workspace.scratch.path("mixed/model.safetensors").path))
    }
}
