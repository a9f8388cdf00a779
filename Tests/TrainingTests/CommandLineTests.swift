import Foundation
import Models
import SafeTensors
import Tensors
import Testing
import Training

/// End-to-end runs of the `distill` executable built next to the test bundle (`swift build --build-tests`
/// builds it; `swift test` too), on a tiny model and data written to a temporary directory.
@Suite(.enabled(if: CommandLine.distillBinary != nil, "the distill executable is not next to the test bundle"))
struct CommandLineTests {
    /// A base BERT (no head) with its tokenizer, and SST-2-like train/dev files.
    struct Workspace {
        let scratch: ScratchDirectory
        var model: URL { scratch.path("base") }
        var train: URL { scratch.path("train.tsv") }
        var dev: URL { scratch.path("dev.tsv") }

        init(trainingExamples: Int) throws {
            scratch = try ScratchDirectory()
            let tokenizer = try Fixtures.tokenizer()
            try tokenizer.save(to: scratch.path("base"))
            try TransformerEncoder(
                config: Fixtures.config(vocabularySize: tokenizer.vocabularySize), generator: RandomGenerator(seed: 8)
            ).save(to: scratch.path("base"))
            try Fixtures.writeTSV(count: trainingExamples, to: train)
            try Fixtures.writeTSV(count: 12, to: dev)
        }

        func finetune(output: String, _ extra: [String] = []) -> [String] {
            ["finetune", "--model", model.path, "--train", train.path, "--output", scratch.path(output).path,
             "--label-names", "NEGATIVE,POSITIVE", "--epochs", "3", "--batch-size", "4", "--lr", "1e-3",
             "--max-length", "32"] + extra
        }
    }

    @Test(arguments: [SIGKILL, SIGINT])
    func aFinetuneRunStoppedMidwayResumesToTheWeightsOfAnUninterruptedRun(signal: Int32) throws {
        let workspace = try Workspace(trainingExamples: 400)  // 300 updates
        let whole = try CommandLine.runDistill(workspace.finetune(output: "whole"))
        #expect(whole.status == 0, "\(whole.errors)")

        let interrupted = try CommandLine.startDistill(workspace.finetune(output: "parts", ["--save-every", "1"]))
        defer { interrupted.removeLogs() }
        let parts = workspace.scratch.path("parts")
        let deadline = Date().addingTimeInterval(60)
        while (CheckpointProbe.step(parts) ?? 0) < 20 && interrupted.process.isRunning && Date() < deadline {
            usleep(1000)
        }
        kill(interrupted.process.processIdentifier, signal)
        interrupted.process.waitUntilExit()
        if signal == SIGKILL {
            #expect(interrupted.process.terminationReason == .uncaughtSignal)
        } else {
            #expect(interrupted.process.terminationStatus == 130, "Ctrl-C exits with 128 + SIGINT after saving")
        }
        let stoppedAt = try #require(CheckpointProbe.step(parts))
        #expect((20..<300).contains(stoppedAt), "stopped midway, after update \(stoppedAt)")
        #expect(!FileManager.default.fileExists(atPath: workspace.scratch.path("parts/model.safetensors").path))

        let refused = try CommandLine.runDistill(workspace.finetune(output: "parts"))
        #expect(refused.status != 0 && refused.errors.contains("--resume"))
        // How often to save is not part of the trajectory, so the resumed run may skip the (fsync'ed) checkpoints.
        let resumed = try CommandLine.runDistill(workspace.finetune(output: "parts", ["--resume"]))
        #expect(resumed.status == 0, "\(resumed.errors)")

        let expected = try SafeTensorsFile(url: workspace.scratch.path("whole/model.safetensors"))
        let actual = try SafeTensorsFile(url: workspace.scratch.path("parts/model.safetensors"))
        #expect(actual.names == expected.names)
        for name in expected.names { #expect(try actual.floats(name) == expected.floats(name), "\(name)") }
    }

    /// SST-2's files hold 0/1; `--task sst2` names them as the published SST-2 models do, other data keeps the indices.
    @Test func sst2LabelsAreNamedByDefault() throws {
        let workspace = try Workspace(trainingExamples: 8)
        for (task, expected) in [(["--task", "sst2"], [0: "NEGATIVE", 1: "POSITIVE"]), ([], [0: "0", 1: "1"])] {
            let output = workspace.scratch.path("named\(task.count)")
            let run = try CommandLine.runDistill(
                ["finetune", "--model", workspace.model.path, "--train", workspace.train.path, "--output", output.path,
                 "--epochs", "1", "--batch-size", "4", "--max-length", "32"] + task)
            #expect(run.status == 0, "\(run.errors)")
            #expect(try ModelConfig(contentsOf: output.appendingPathComponent("config.json")).id2label == expected)
        }
    }

    @Test func finetuneThenPredictAndEvaluate() throws {
        let workspace = try Workspace(trainingExamples: 48)
        let trained = try CommandLine.runDistill(
            workspace.finetune(output: "model", ["--dev", workspace.dev.path, "--epochs", "8", "--lr", "5e-3"]))
        #expect(trained.status == 0, "\(trained.errors)")
        let modelPath = workspace.scratch.path("model").path
        let config = try ModelConfig(contentsOf: workspace.scratch.path("model/config.json"))
        #expect(config.id2label == [0: "NEGATIVE", 1: "POSITIVE"])
        #expect(config.architectures == ["BertForSequenceClassification"])
        #expect(trained.output.contains("best accuracy 1.0000"))

        let input = """
            {"text": "the movie was great"}
            {"text": "a dull plot", "text_pair": null}

            {"text": "really awful film"}
            """
        let predicted = try CommandLine.runDistill(["predict", "--model", modelPath, "--batch-size", "2"], input: input)
        #expect(predicted.status == 0, "\(predicted.errors)")
        let predictions = try predicted.output.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(predictions.map { $0["label"] as? String } == ["POSITIVE", "NEGATIVE", "NEGATIVE"])
        #expect(predictions.allSatisfy { (($0["score"] as? Double) ?? 0) > 0.5 })

        let bad = try CommandLine.runDistill(
            ["predict", "--model", modelPath], input: "{\"text\": \"good\"}\n{\"txt\": \"bad\"}\n")
        #expect(bad.status != 0)
        #expect(bad.errors.contains("standard input line 2: missing \"text\""))
        #expect(bad.output.split(separator: "\n").count == 1, "the line before the bad one is answered")

        let json = workspace.scratch.path("eval.json")
        let evaluated = try CommandLine.runDistill([
            "eval", "--model", modelPath, "--model", workspace.model.path + "/../model", "--data", workspace.dev.path,
            "--task", "sst2", "--json", json.path, "--latency-examples", "5",
        ])
        #expect(evaluated.status == 0, "\(evaluated.errors)")
        #expect(evaluated.output.contains("accuracy") && evaluated.output.contains("latency b1"))
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [[String: Any]])
        #expect(reports.count == 2)
        let model = try SequenceClassifier.load(from: workspace.scratch.path("model"), strict: true).model
        let weightFile = workspace.scratch.path("model/model.safetensors").path
        let weightBytes = try FileManager.default.attributesOfItem(atPath: weightFile)[.size] as? Int
        for report in reports {
            #expect((report["metrics"] as? [String: Any])?["accuracy"] as? Double == 1.0)
            #expect(report["examples"] as? Int == 12)
            let footprint = report["footprint"] as? [String: Any]
            #expect(footprint?["parameters"] as? Int == model.parameterCount)
            #expect(footprint?["weight_bytes"] as? Int == weightBytes)
            #expect(((report["latency"] as? [String: Any])?["median_ms"] as? Double ?? 0) > 0)
            #expect(((report["throughput"] as? [String: Any])?["examples_per_s"] as? Double ?? 0) > 0)
        }
    }
}

/// Reads the update count of the checkpoint in an output directory (nil while there is none).
enum CheckpointProbe {
    static func step(_ output: URL) -> Int? {
        // A kill between the two renames of a checkpoint replacement leaves only `checkpoint.old`.
        let states = ["checkpoint", "checkpoint.old"].map { output.appendingPathComponent("\($0)/state.json") }
        guard let data = states.lazy.compactMap({ try? Data(contentsOf: $0) }).first,
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let progress = object["progress"] as? [String: Any]
        else { return nil }
        return progress["step"] as? Int
    }
}

extension CommandLine {
    /// `distill` in the directory of the running test bundle.
    static let distillBinary: URL? = {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let binary = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("distill")
        return FileManager.default.isExecutableFile(atPath: binary.path) ? binary : nil
    }()

    struct Started {
        let process: Process
        let outputFile: URL
        let errorFile: URL

        /// Deletes the files that caught the output and errors.
        func removeLogs() {
            for file in [outputFile, errorFile] { try? FileManager.default.removeItem(at: file) }
        }
    }

    /// Starts `distill` with `arguments` (and `environment` added to ours), its output and errors going to
    /// temporary files.
    static func startDistill(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> Started {
        let binary = try #require(distillBinary)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        // One thread: the tiny models gain nothing from more, and spinning OpenMP teams of several processes
        // sharing the cores slow each other down by orders of magnitude.
        process.environment = ProcessInfo.processInfo.environment.merging(["OMP_NUM_THREADS": "1", "DISTILL_THREADS": "1"]) { $1 }
            .merging(environment) { $1 }
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString)")
        let outputFile = base.appendingPathExtension("out"), errorFile = base.appendingPathExtension("err")
        for file in [outputFile, errorFile] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        return Started(process: process, outputFile: outputFile, errorFile: errorFile)
    }

    /// Runs `distill` to the end: exit status, standard output and standard error.
    static func runDistill(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> (status: Int32, output: String, errors: String) {
        let started = try startDistill(arguments, input: input, environment: environment)
        started.process.waitUntilExit()
        defer { started.removeLogs() }
        return (started.process.terminationStatus, try String(contentsOf: started.outputFile, encoding: .utf8),
                try String(contentsOf: started.errorFile, encoding: .utf8))
    }
}
