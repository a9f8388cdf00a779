import Foundation
import Models
import SafeTensors
import Tensors
import TestSupport
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

    @Test func libraryErrorsAreReportedWithTheOptionsThatCauseThem() throws {
        let workspace = try Workspace(trainingExamples: 8)
        let warmUp = try CommandLine.runDistill(workspace.finetune(output: "out", ["--warmup-ratio", "1.5"]))
        #expect(warmUp.status != 0 && warmUp.errors.contains("--warmup-ratio must be in [0, 1)"), "\(warmUp.errors)")
        let regression = try CommandLine.runDistill(workspace.finetune(output: "out", ["--task", "stsb"]))
        #expect(regression.status != 0, "\(regression.errors)")
        #expect(regression.errors.contains("--label-names does not apply to a regression task"), "\(regression.errors)")
        let length = try CommandLine.runDistill(workspace.finetune(output: "out", ["--max-length", "100"]))
        #expect(length.errors.contains("--max-length 100 exceeds the model's 64 positions"), "\(length.errors)")
    }

    /// `distill student` and `distill task` name their options for the distillation library's domain errors.
    @Test func distillationErrorsAreReportedWithTheOptionsThatCauseThem() throws {
        let workspace = try Workspace(trainingExamples: 8)
        let (base, student) = (workspace.model.path, workspace.scratch.path("student").path)
        let layers = try CommandLine.runDistill(["student", "--teacher", base, "--layers", "0,9", "--output", student])
        #expect(layers.status != 0 && layers.errors.contains("--layers: layer 9 does not exist; the teacher has layers 0...1"), "\(layers.errors)")
        let shape = try CommandLine.runDistill(["student", "--teacher", base, "--random", "--hidden", "0", "--output", student])
        #expect(shape.errors.contains("student shape: --hidden must be positive, got 0"), "\(shape.errors)")
        let output = try CommandLine.runDistill(["student", "--teacher", base, "--output", base])
        #expect(output.errors.contains("--output \(base) is the teacher's directory"), "\(output.errors)")

        let teacher = workspace.scratch.path("teacher").path
        #expect(try CommandLine.runDistill(workspace.finetune(output: "teacher")).status == 0)
        #expect(try CommandLine.runDistill(["student", "--teacher", teacher, "--layers", "1", "--output", student]).status == 0)
        let task = ["task", "--teacher", teacher, "--student", student, "--train", workspace.train.path,
                    "--output", workspace.scratch.path("task").path]
        let alpha = try CommandLine.runDistill(task + ["--alpha", "1.5"])
        #expect(alpha.status != 0 && alpha.errors.contains("--alpha must be between 0 and 1"), "\(alpha.errors)")
        let layerMap = try CommandLine.runDistill(task + ["--max-length", "32", "--cosine-weight", "1", "--layer-map", "5"])
        #expect(layerMap.errors.contains("--layer-map: layer 5 does not exist; the teacher has layers 0...1"), "\(layerMap.errors)")
        let length = try CommandLine.runDistill(task + ["--max-length", "100"])
        #expect(length.errors.contains("--max-length 100 exceeds a model's 64 positions"), "\(length.errors)")
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
            "--task", "sst2", "--json", json.path, "--latency-examples", "5", "--rounds", "2",
        ])
        #expect(evaluated.status == 0, "\(evaluated.errors)")
        #expect(evaluated.output.contains("accuracy") && evaluated.output.contains("latency b1"))
        #expect(evaluated.output.contains(/\d+\.\d \(\d+-\d+\)/), "the throughput's range over the rounds: \(evaluated.output)")
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
            #expect((report["rounds"] as? [[String: Any]])?.count == 2)
        }
        let noRounds = try CommandLine.runDistill(["eval", "--model", modelPath, "--data", workspace.dev.path, "--rounds", "0"])
        #expect(noRounds.status != 0 && noRounds.errors.contains("--rounds must be at least 1"))
    }
}

/// Reads the update count of the checkpoint in an output directory (nil while there is none).
enum CheckpointProbe {
    static func step(_ output: URL) -> Int? {
        // A kill between the two renames of a checkpoint replacement leaves only `checkpoint.old`.
        let states = ["checkpoint", "checkpoint.old"].map { output.appendingPathComponent("\($0)/state.json") }
        // Not `lazy.compactMap(...).first`: that reads the file twice and traps when the running process renames
        // it in between.
        guard let data = states.firstNonNil({ try? Data(contentsOf: $0) }),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let progress = object["progress"] as? [String: Any]
        else { return nil }
        return progress["step"] as? Int
    }
}

extension Sequence {
    /// The first non-nil result of `transform`, calling it once per element until then.
    func firstNonNil<T>(_ transform: (Element) -> T?) -> T? {
        for element in self { if let value = transform(element) { return value } }
        return nil
    }
}
