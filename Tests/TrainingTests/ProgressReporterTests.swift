import Foundation
import Testing
import Training

/// A value shared with the reporter's `@Sendable` clock and output closures.
private final class Shared<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    var current: Value {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

/// A reporter writing into a string, with a clock the test moves by hand.
private struct Harness {
    let time = Shared(100.0)
    let text = Shared("")

    func reporter(terminal: Bool, _ configuration: ProgressReporter.Configuration) -> ProgressReporter {
        let text = self.text, time = self.time
        return ProgressReporter(
            configuration: configuration,
            output: ProgressOutput(isTerminal: terminal) { text.current += $0 },
            clock: { time.current })
    }
}

@Suite struct ProgressReporterTests {
    @Test func plainLinesByStepCount() {
        let harness = Harness()
        var reporter = harness.reporter(
            terminal: false, .init(totalSteps: 10, totalEpochs: 2, logEverySteps: 4, logInterval: nil, lossSmoothing: 0))
        for step in 1...10 {
            harness.time.current += 2
            reporter.update(step: step, epoch: step <= 5 ? 1 : 2, loss: Double(step) / 10, learningRate: 2e-5, tokens: 500)
        }
        reporter.finish()
        let lines = harness.text.current.split(separator: "\n").map(String.init)
        // First update, steps 4 and 8, and the last step; finish() adds nothing after the last step.
        #expect(lines == [
            "step 1/10 (10%) epoch 1/2 loss 0.1000 lr 2.00e-05 tok/s 250 elapsed 00:02 eta 00:18",
            "step 4/10 (40%) epoch 1/2 loss 0.4000 lr 2.00e-05 tok/s 250 elapsed 00:08 eta 00:12",
            "step 8/10 (80%) epoch 2/2 loss 0.8000 lr 2.00e-05 tok/s 250 elapsed 00:16 eta 00:04",
            "step 10/10 (100%) epoch 2/2 loss 1.0000 lr 2.00e-05 tok/s 250 elapsed 00:20 eta 00:00",
        ])
    }

    @Test func plainLinesByTime() {
        let harness = Harness()
        var reporter = harness.reporter(terminal: false, .init(totalSteps: 100, totalEpochs: 1, logInterval: 10))
        for step in 1...30 {
            harness.time.current += 1
            reporter.update(step: step, epoch: 1, loss: 1, learningRate: 1e-3, tokens: 10)
        }
        reporter.finish()
        let steps = harness.text.current.split(separator: "\n").map { $0.split(separator: " ")[1] }
        // Logged at the first step, then every 10 s (steps 11, 21), and the final state at finish().
        #expect(steps == ["1/100", "11/100", "21/100", "30/100"])
    }

    @Test func terminalBarRedrawsInPlaceAtMostTenTimesASecond() {
        let harness = Harness()
        var reporter = harness.reporter(
            terminal: true, .init(totalSteps: 4, totalEpochs: 1, redrawInterval: 0.1, lossSmoothing: 0))
        harness.time.current += 0.5
        reporter.update(step: 1, epoch: 1, loss: 0.5, learningRate: 1e-4, tokens: 100)
        harness.time.current += 0.05  // too soon: not drawn
        reporter.update(step: 2, epoch: 1, loss: 0.25, learningRate: 1e-4, tokens: 100)
        harness.time.current += 0.45
        reporter.update(step: 3, epoch: 1, loss: 0.125, learningRate: 1e-4, tokens: 100)
        #expect(harness.text.current == "\r25% [=====>              ] 1/4 epoch 1/1 | loss 0.5000 | lr 1.00e-04 | 200 tok/s | 00:01<00:02"
            + "\r75% [===============>    ] 3/4 epoch 1/1 | loss 0.1250 | lr 1.00e-04 | 300 tok/s | 00:01<00:00")
        harness.text.current = ""
        harness.time.current += 0.01  // the last step is always drawn
        reporter.update(step: 4, epoch: 1, loss: 0.5, learningRate: 0, tokens: 100)
        reporter.finish()
        reporter.finish()
        #expect(harness.text.current.hasPrefix("\r100% [====================] 4/4 epoch 1/1 | loss 0.5000 | lr 0.00e+00"))
        #expect(harness.text.current.hasSuffix("\n"))
        #expect(harness.text.current.filter { $0 == "\n" }.count == 1)
    }

    @Test func messagesDoNotGarbleTheBar() {
        let harness = Harness()
        var reporter = harness.reporter(terminal: true, .init(totalSteps: 1000, totalEpochs: 1))
        reporter.update(step: 1, epoch: 1, loss: 1, learningRate: 1, tokens: 1)
        let bar = harness.text.current
        harness.text.current = ""
        reporter.message("eval")
        // The message overwrites the bar (padded with spaces to its width), then the bar is drawn again below.
        let width = bar.count - 1
        #expect(harness.text.current == "\reval" + String(repeating: " ", count: width - 4) + "\n" + bar)
    }

    @Test func smoothedLossIsABiasCorrectedMovingAverage() {
        let harness = Harness()
        var reporter = harness.reporter(terminal: false, .init(totalSteps: 10, totalEpochs: 1, lossSmoothing: 0.5))
        #expect(reporter.smoothedLoss == nil)
        reporter.update(step: 1, epoch: 1, loss: 4, learningRate: 0, tokens: 0)
        #expect(reporter.smoothedLoss == 4)  // bias correction: the first value is shown as is
        reporter.update(step: 2, epoch: 1, loss: 1, learningRate: 0, tokens: 0)
        // (0.5·(0.5·4) + 0.5·1) / (1 − 0.25) = 1.5 / 0.75
        #expect(reporter.smoothedLoss == 2)
    }

    @Test func resumedRunCountsOnlyNewStepsForTimeLeft() {
        let harness = Harness()
        var reporter = harness.reporter(
            terminal: false, .init(totalSteps: 200, totalEpochs: 1, startStep: 100, logInterval: nil))
        harness.time.current += 10
        reporter.update(step: 110, epoch: 1, loss: 1, learningRate: 0, tokens: 0)
        // 10 steps in 10 s, 90 left.
        #expect(harness.text.current.hasSuffix("elapsed 00:10 eta 01:30\n"))
    }

    @Test func jobsWithoutALossShowNeitherLossNorLearningRate() {
        for terminal in [false, true] {
            let harness = Harness()
            var reporter = harness.reporter(terminal: terminal, .init(totalSteps: 2, totalEpochs: 1))
            for step in 1...2 {
                harness.time.current += 1
                reporter.update(step: step, epoch: 1, tokens: 100)
            }
            reporter.finish()
            let text = harness.text.current
            #expect(!text.contains("loss") && !text.contains("lr "), "\(text)")
            #expect(text.contains("2/2") && text.contains("100 tok/s") || text.contains("tok/s 100"), "\(text)")
        }
    }

    @Test func aOnePassJobNamesItsStepsAndCountsFromItsOwnStart() {
        let harness = Harness()
        let started = harness.time.current
        harness.time.current += 4  // the job read its input before it knew how many steps it would take
        var configuration = ProgressReporter.Configuration(totalSteps: 10, totalEpochs: 1, logInterval: nil)
        (configuration.stepName, configuration.showsEpoch) = ("masked word", false)
        var reporter = ProgressReporter(
            configuration: configuration,
            output: ProgressOutput(isTerminal: false) { [text = harness.text] in text.current += $0 },
            clock: { [time = harness.time] in time.current }, startTime: started)
        reporter.update(step: 5, epoch: 1, tokens: 400)
        let line = harness.text.current
        #expect(line.hasPrefix("masked word 5/10 (50%) tok/s 100 elapsed 00:04 eta 00:04"), "\(line)")
        #expect(!line.contains("epoch"), "\(line)")
    }

    @Test func durationFormat() {
        let harness = Harness()
        var reporter = harness.reporter(terminal: false, .init(totalSteps: 2, totalEpochs: 1))
        harness.time.current += 3725
        reporter.update(step: 1, epoch: 1, loss: 1, learningRate: 0, tokens: 0)
        #expect(harness.text.current.hasSuffix("elapsed 1:02:05 eta 1:02:05\n"))
    }
}

@Suite struct MetricsLogTests {
    private func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("metrics-log-\(UUID().uuidString)/run")
    }

    @Test func appendsOneJSONObjectPerLine() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let log = try MetricsLog(directory: directory)
        try log.append(step: 10, epoch: 0.5, split: "train", values: ["loss": 0.25, "learning_rate": 1e-5])
        // Written straight through: readable before the log is closed.
        let afterOne = try String(contentsOf: log.fileURL, encoding: .utf8)
        #expect(afterOne == "{\"step\":10,\"epoch\":0.5,\"split\":\"train\",\"learning_rate\":1e-05,\"loss\":0.25}\n")
        try log.append(step: 20, epoch: 1, split: "eval \"dev\"", values: ["accuracy": 0.875, "mcc": .nan])

        // A resumed run appends to the same file.
        try MetricsLog(directory: directory).append(step: 30, epoch: 1.5, split: "train", values: [:])
        let lines = try String(contentsOf: log.fileURL, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        let second = try #require(
            try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(second["step"] as? Int == 20)
        #expect(second["split"] as? String == "eval \"dev\"")
        #expect(second["accuracy"] as? Double == 0.875)
        #expect(second["mcc"] is NSNull)
        #expect(lines[2] == "{\"step\":30,\"epoch\":1.5,\"split\":\"train\"}")
    }

    @Test func escapesControlCharacters() {
        #expect(MetricsLog.line(step: 1, epoch: 0, split: "a\nb\u{1}\\", values: [:])
            == "{\"step\":1,\"epoch\":0.0,\"split\":\"a\\nb\\u0001\\\\\"}")
    }

    @Test func reportsUnwritableDirectory() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-log-file-\(UUID().uuidString)")
        try Data().write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        // A regular file where the directory should be.
        #expect(throws: MetricsLogError.self) { try MetricsLog(directory: file.appendingPathComponent("sub")) }
        do {
            _ = try MetricsLog(directory: file.appendingPathComponent("sub"))
        } catch {
            #expect(error.description.hasPrefix(file.appendingPathComponent("sub").path + ": cannot create directory"))
        }
    }
}
