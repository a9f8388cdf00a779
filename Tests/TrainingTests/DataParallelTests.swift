import Foundation
import Models
import Tensors
import TestSupport
import Testing

/// `mpirun -np 2 distill ...` against one process with the same global batch, on a tiny model with dropout (each
/// process draws the masks one process draws on its rows of the global batch).
///
/// These tests need Open MPI's `mpirun` (openmpi-bin, which .ci/run installs); without it they fail, saying so.
@Suite(.enabled(if: CommandLine.distillBinary != nil, "the distill executable is not next to the test bundle"))
struct DataParallelTests {
    struct Workspace {
        let scratch: ScratchDirectory
        var model: URL { scratch.path("base") }
        var train: URL { scratch.path("train.tsv") }

        /// 100 examples: three full global batches of 32 and one of 4 per epoch, which two processes split 2/2.
        init() throws {
            scratch = try ScratchDirectory()
            let tokenizer = try Fixtures.tokenizer()
            try tokenizer.save(to: model)
            try TransformerEncoder(
                config: Fixtures.config(dropout: 0.1, vocabularySize: tokenizer.vocabularySize), generator: RandomGenerator(seed: 8)
            ).save(to: model)
            try Fixtures.writeTSV(count: 100, to: train)
        }

        func finetune(output: String, batchSize: Int, _ extra: [String] = []) -> [String] {
            ["finetune", "--model", model.path, "--train", train.path, "--output", scratch.path(output).path,
             "--label-names", "NEGATIVE,POSITIVE", "--epochs", "2", "--batch-size", "\(batchSize)", "--lr", "1e-3",
             "--max-length", "32"] + extra
        }

        /// Runs `command(output, batch size)` in one process with batch 32 and under `mpirun -np 2` with batch 16
        /// each, and expects the same weights and the same logged losses (the global batch's: each process weights
        /// its share's loss by its part of what the loss averages over). Returns the two processes' run and the
        /// number of losses compared.
        @discardableResult
        func expectTwoProcessesFollowOne(
            _ command: (_ output: String, _ batchSize: Int) -> [String], sourceLocation: SourceLocation = #_sourceLocation
        ) throws -> (parallel: (status: Int32, output: String, errors: String), losses: Int) {
            let single = try CommandLine.runDistill(command("single", 32))
            #expect(single.status == 0, "\(single.errors)", sourceLocation: sourceLocation)
            let parallel = try CommandLine.runDistill(command("parallel", 16), processes: 2)
            #expect(parallel.status == 0, "\(parallel.errors)", sourceLocation: sourceLocation)
            expectSameWeights(
                try savedWeights(in: scratch.path("parallel")), try savedWeights(in: scratch.path("single")), keyBiasNoise: 1e-6,
                sourceLocation: sourceLocation)
            let (expected, actual) = try (trainingLosses(scratch.path("single")), trainingLosses(scratch.path("parallel")))
            #expect(actual.count == expected.count, sourceLocation: sourceLocation)
            for (a, e) in zip(actual, expected) {
                #expect(isClose(a, e, relative: 1e-5, absolute: 1e-6), "loss \(a), expected \(e)", sourceLocation: sourceLocation)
            }
            return (parallel, expected.count)
        }

        /// The `loss` of each `train` line of the run's metrics.jsonl.
        private func trainingLosses(_ output: URL) throws -> [Double] {
            try String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
                .compactMap { line in try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] }
                .filter { $0["split"] as? String == "train" }.compactMap { $0["loss"] as? Double }
        }
    }

    /// In buckets of 262 floats, dozens of MPI_Iallreduce calls are in flight during each backward pass.
    @Test func twoProcessesOfHalfTheBatchFinetuneTheWeightsOfOneProcess() throws {
        let workspace = try Workspace()
        let (parallel, losses) = try workspace.expectTwoProcessesFollowOne { output, batchSize in
            workspace.finetune(output: output, batchSize: batchSize, ["--log-every", "1", "--bucket-mb", "0.001"])
        }
        #expect(parallel.output.components(separatedBy: "model: ").count == 2, "one process reports: \(parallel.output)")
        #expect(losses == 8)
    }

    /// Summing after the backward pass (no overlap).
    @Test func twoProcessesOfHalfTheBatchDistilTheWeightsOfOneProcess() throws {
        let workspace = try Workspace()
        let teacher = workspace.scratch.path("teacher").path, student = workspace.scratch.path("student").path
        #expect(try CommandLine.runDistill(workspace.finetune(output: "teacher", batchSize: 32)).status == 0)
        #expect(try CommandLine.runDistill(["student", "--teacher", teacher, "--layers", "1", "--output", student]).status == 0)
        try workspace.expectTwoProcessesFollowOne { output, batchSize in
            ["task", "--teacher", teacher, "--student", student, "--train", workspace.train.path, "--epochs", "2",
             "--batch-size", "\(batchSize)", "--lr", "1e-3", "--max-length", "32", "--no-overlap-allreduce",
             "--output", workspace.scratch.path(output).path]
        }
    }

    /// `distill mlm`: its loss is a mean over the masked tokens (15% of the tokens, drawn at random), which the two
    /// shares of a batch hold in different numbers.
    @Test func twoProcessesOfHalfTheBatchTrainTheMaskedLanguageModelOfOneProcess() throws {
        let workspace = try Workspace()
        let corpus = workspace.scratch.path("corpus.txt")
        try Fixtures.sentences(count: 60).map(\.text).joined(separator: "\n").write(to: corpus, atomically: true, encoding: .utf8)
        let (_, losses) = try workspace.expectTwoProcessesFollowOne { output, batchSize in
            ["mlm", "--model", workspace.model.path, "--corpus", corpus.path, "--output", workspace.scratch.path(output).path,
             "--max-steps", "6", "--batch-size", "\(batchSize)", "--max-length", "12", "--lr", "1e-3", "--log-every", "1"]
        }
        #expect(losses == 6)
    }

    /// A process killed mid-run ends the job (Open MPI's runtime notices and stops the others) within a bound;
    /// the checkpoint process 0 wrote resumes in a single process with the same global batch.
    @Test func aKilledProcessEndsTheJobWhoseCheckpointResumesWithOneProcess() throws {
        let workspace = try Workspace()
        let long = ["--epochs", "150"]  // 600 updates
        let whole = try CommandLine.runDistill(workspace.finetune(output: "whole", batchSize: 32, long))
        #expect(whole.status == 0, "\(whole.errors)")

        let parts = workspace.scratch.path("parts")
        let job = try CommandLine.startDistill(
            workspace.finetune(output: "parts", batchSize: 16, long + ["--save-every", "5"]), processes: 2)
        defer { job.removeLogs() }
        let started = Date()
        while (CheckpointProbe.step(parts) ?? 0) < 10 && job.process.isRunning && Date() < started.addingTimeInterval(120) {
            usleep(10_000)
        }
        let ranks = childProcesses(of: job.process.processIdentifier)
        try #require(ranks.count == 2, "mpirun's processes: \(ranks)")
        kill(ranks[1], SIGKILL)
        let killed = Date()
        while job.process.isRunning && Date() < killed.addingTimeInterval(60) { usleep(10_000) }
        if job.process.isRunning {
            Issue.record("the job still runs 60 s after a process was killed")
            job.process.terminate()
        }
        job.process.waitUntilExit()
        #expect(job.process.terminationStatus != 0)
        let errors = try String(contentsOf: job.errorFile, encoding: .utf8)
        #expect(errors.contains("signal 9"), "mpirun names the killed process: \(errors)")

        let stoppedAt = try #require(CheckpointProbe.step(parts))
        #expect((10..<600).contains(stoppedAt), "killed midway, checkpoint after update \(stoppedAt)")
        let resumed = try CommandLine.runDistill(workspace.finetune(output: "parts", batchSize: 32, long + ["--resume"]))
        #expect(resumed.status == 0, "\(resumed.errors)")
        // 600 updates at 1e-3 compound the reassociation differences, more or less depending on where the kill
        // fell: relative differences up to 2.8e-5 were observed (the key biases' noise grows to norms of about 1e-4).
        expectSameWeights(try savedWeights(in: parts), try savedWeights(in: workspace.scratch.path("whole")), keyBiasNoise: 1e-3, relative: 1e-4)
    }

    /// An error in the processes ends the job with the error's message instead of leaving any process waiting.
    @Test func anErrorEndsTheJobWithItsMessage() throws {
        let workspace = try Workspace()
        var arguments = workspace.finetune(output: "out", batchSize: 16)
        arguments[try #require(arguments.firstIndex(of: workspace.train.path))] = workspace.scratch.path("missing.tsv").path
        let started = Date()
        let failed = try CommandLine.runDistill(arguments, processes: 2)
        #expect(failed.status != 0)
        #expect(failed.errors.contains("missing.tsv"), "\(failed.errors)")
        #expect(Date().timeIntervalSince(started) < 60)
    }

    /// The processes whose parent is `parent` (mpirun starts the processes of this machine itself).
    private func childProcesses(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let afterName = stat.range(of: ") ", options: .backwards)
            else { return false }
            // Fields after the command name: state, then the parent's id.
            let fields = stat[afterName.upperBound...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent && stat.contains("(distill)")
        }.sorted()
    }
}
