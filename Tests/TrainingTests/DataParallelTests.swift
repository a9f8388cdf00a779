import Foundation
import Models
import SafeTensors
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
    }

    @Test func twoProcessesOfHalfTheBatchFinetuneTheWeightsOfOneProcess() throws {
        let workspace = try Workspace()
        let single = try CommandLine.runDistill(workspace.finetune(output: "single", batchSize: 32, ["--log-every", "1"]))
        #expect(single.status == 0, "\(single.errors)")
        let parallel = try CommandLine.runDistill(
            workspace.finetune(output: "parallel", batchSize: 16, ["--log-every", "1"]), processes: 2)
        #expect(parallel.status == 0, "\(parallel.errors)")
        #expect(parallel.output.components(separatedBy: "model: ").count == 2, "one process reports: \(parallel.output)")
        try expectSameWeights(workspace.scratch.path("parallel"), workspace.scratch.path("single"), keyBiasNoise: 1e-6)

        // The logged loss is the global batch's: the shares' losses weighted by their rows and summed.
        let (expected, actual) = try (trainingLosses(workspace.scratch.path("single")), trainingLosses(workspace.scratch.path("parallel")))
        #expect(actual.count == 8 && expected.count == 8)
        for (a, e) in zip(actual, expected) { #expect(isClose(a, e, relative: 1e-5, absolute: 1e-6), "loss \(a), expected \(e)") }
    }

    @Test func twoProcessesOfHalfTheBatchDistilTheWeightsOfOneProcess() throws {
        let workspace = try Workspace()
        let teacher = workspace.scratch.path("teacher").path, student = workspace.scratch.path("student").path
        #expect(try CommandLine.runDistill(workspace.finetune(output: "teacher", batchSize: 32)).status == 0)
        #expect(try CommandLine.runDistill(["student", "--teacher", teacher, "--layers", "1", "--output", student]).status == 0)
        func task(output: String, batchSize: Int) -> [String] {
            ["task", "--teacher", teacher, "--student", student, "--train", workspace.train.path, "--epochs", "2",
             "--batch-size", "\(batchSize)", "--lr", "1e-3", "--max-length", "32",
             "--output", workspace.scratch.path(output).path]
        }
        let single = try CommandLine.runDistill(task(output: "single", batchSize: 32))
        #expect(single.status == 0, "\(single.errors)")
        let parallel = try CommandLine.runDistill(task(output: "parallel", batchSize: 16), processes: 2)
        #expect(parallel.status == 0, "\(parallel.errors)")
        try expectSameWeights(workspace.scratch.path("parallel"), workspace.scratch.path("single"), keyBiasNoise: 1e-6)
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
        try expectSameWeights(parts, workspace.scratch.path("whole"), keyBiasNoise: 1e-3, relative: 1e-4)
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

    /// Expects the model in `directory` to have `reference`'s weights (see ``Fixtures/expectSameWeights``).
    private func expectSameWeights(
        _ directory: URL, _ reference: URL, keyBiasNoise: Double, relative: Double = 1e-5,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        func weights(_ directory: URL) throws -> [String: [Float]] {
            let file = try SafeTensorsFile(url: directory.appendingPathComponent("model.safetensors"))
            return try Dictionary(uniqueKeysWithValues: file.names.map { ($0, try file.floats($0)) })
        }
        Fixtures.expectSameWeights(
            try weights(directory), try weights(reference), keyBiasNoise: keyBiasNoise, relative: relative,
            sourceLocation: sourceLocation)
    }

    /// The `loss` of each `train` line of the run's metrics.jsonl.
    private func trainingLosses(_ output: URL) throws -> [Double] {
        try String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
            .compactMap { line in try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] }
            .filter { $0["split"] as? String == "train" }.compactMap { $0["loss"] as? Double }
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
