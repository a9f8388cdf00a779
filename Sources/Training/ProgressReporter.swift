import Foundation

/// Where progress text is written, and whether it is an interactive terminal.
public struct ProgressOutput: Sendable {
    /// Whether the output is a terminal, where a single line can be redrawn in place with `\r`.
    public let isTerminal: Bool
    /// Writes text exactly as given (the reporter adds its own `\r` and `\n`).
    public let write: @Sendable (String) -> Void

    /// Creates an output from a writing function.
    public init(isTerminal: Bool, write: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Standard error; a terminal if `isatty(2)` says so.
    public static var standardError: ProgressOutput {
        ProgressOutput(isTerminal: isatty(2) == 1) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
    }
}

/// Reports training progress on a long run: step and total, epoch, smoothed loss, learning rate, tokens per
/// second, elapsed time and estimated time left.
///
/// On a terminal a one-line bar is redrawn in place at most every ``Configuration/redrawInterval`` seconds.
/// Elsewhere (a log file, CI) it writes plain lines: on the first update, on the last step, every
/// ``Configuration/logEverySteps`` steps and every ``Configuration/logInterval`` seconds. The clock and the
/// output are injectable so tests can check the text without waiting.
public struct ProgressReporter: Sendable {
    /// What to show and how often.
    public struct Configuration: Sendable {
        /// The step number of the last step.
        public var totalSteps: Int
        /// The number of epochs, shown as "epoch e/total".
        public var totalEpochs: Int
        /// The step the run starts after (non-zero when resuming), so speed and time left count only steps
        /// taken in this process.
        public var startStep: Int
        /// Minimum seconds between two redraws of the terminal bar.
        public var redrawInterval: Double
        /// Without a terminal, also log every this many steps (`nil`: only by time).
        public var logEverySteps: Int?
        /// Without a terminal, log when this many seconds have passed since the last line (`nil`: only by step).
        public var logInterval: Double?
        /// Weight of the past in the exponential moving average of the loss (0 shows the raw loss).
        public var lossSmoothing: Double
        /// What a step is, in plain log lines ("step 10/200"; a job that is not training may count words).
        public var stepName = "step"
        /// Whether to show "epoch e/total" (not for jobs that make one pass).
        public var showsEpoch = true

        /// Creates a configuration; by default plain logs come every 10 seconds.
        public init(
            totalSteps: Int, totalEpochs: Int, startStep: Int = 0, redrawInterval: Double = 0.1,
            logEverySteps: Int? = nil, logInterval: Double? = 10, lossSmoothing: Double = 0.98
        ) {
            precondition((0..<1).contains(lossSmoothing), "loss smoothing must be in [0, 1)")
            self.totalSteps = totalSteps
            self.totalEpochs = totalEpochs
            self.startStep = startStep
            self.redrawInterval = redrawInterval
            self.logEverySteps = logEverySteps
            self.logInterval = logInterval
            self.lossSmoothing = lossSmoothing
        }
    }

    /// A monotonic clock in seconds: `ProcessInfo.systemUptime`.
    public static let systemClock: @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }

    private static let barWidth = 20

    /// What is shown and how often.
    public let configuration: Configuration
    private let output: ProgressOutput
    private let clock: @Sendable () -> Double
    private let startTime: Double

    private var lossAverage = 0.0
    private var lossUpdates = 0
    private var tokensSinceStart = 0
    private var latestLine: String?
    private var latestStep: Int?
    private var lastWriteTime: Double?
    private var lastWrittenStep: Int?
    /// Length of the bar currently on screen, to blank out leftovers when a shorter one replaces it.
    private var drawnWidth = 0
    private var finished = false

    /// Starts the clock for elapsed time and speed, now or at `startTime` (a reading of `clock` taken when the job
    /// started, for a reporter made once the job knows its size).
    public init(
        configuration: Configuration, output: ProgressOutput = .standardError,
        clock: @escaping @Sendable () -> Double = ProgressReporter.systemClock, startTime: Double? = nil
    ) {
        self.configuration = configuration
        self.output = output
        self.clock = clock
        self.startTime = startTime ?? clock()
    }

    /// The bias-corrected moving average of the losses reported so far, or `nil` before the first update.
    public var smoothedLoss: Double? {
        guard lossUpdates > 0 else { return nil }
        return lossAverage / (1 - pow(configuration.lossSmoothing, Double(lossUpdates)))
    }

    /// Records that `step` (1-based, counting from the start of training) finished in epoch `epoch` (1-based)
    /// with this loss and learning rate after processing `tokens` real tokens, and shows it if it is time to.
    /// Jobs that do not train (scoring for pruning, say) leave out the loss and learning rate, and the line does too.
    public mutating func update(step: Int, epoch: Int, loss: Double? = nil, learningRate: Double? = nil, tokens: Int) {
        if let loss {
            let smoothing = configuration.lossSmoothing
            lossAverage = smoothing * lossAverage + (1 - smoothing) * loss
            lossUpdates += 1
        }
        tokensSinceStart += tokens
        let now = clock()
        let line = statusText(step: step, epoch: epoch, learningRate: learningRate, now: now)
        latestLine = line
        latestStep = step

        let isLast = step >= configuration.totalSteps
        let sinceLastWrite = lastWriteTime.map { now - $0 }
        if output.isTerminal {
            if isLast || sinceLastWrite.map({ $0 >= configuration.redrawInterval }) ?? true { draw(line, now: now) }
        } else {
            let dueByStep = configuration.logEverySteps.map { step % $0 == 0 } ?? false
            let dueByTime = configuration.logInterval.map { interval in
                (sinceLastWrite ?? now - startTime) >= interval
            } ?? false
            if isLast || lastWriteTime == nil || dueByStep || dueByTime { logLine(line, step: step, now: now) }
        }
    }

    /// Writes a message on its own line (for example evaluation results) without garbling the bar, which is
    /// drawn again below it.
    public mutating func message(_ text: String) {
        if output.isTerminal && drawnWidth > 0 {
            output.write("\r" + padded(text, toWidth: drawnWidth) + "\n")
            drawnWidth = 0
            if let latestLine { draw(latestLine, now: clock()) }
        } else {
            output.write(text + "\n")
        }
    }

    /// Shows the final state and ends the bar's line. Further calls do nothing.
    public mutating func finish() {
        guard !finished else { return }
        finished = true
        guard let latestLine, let latestStep else { return }
        if output.isTerminal {
            draw(latestLine, now: clock())
            output.write("\n")
            drawnWidth = 0
        } else if lastWrittenStep != latestStep {
            logLine(latestLine, step: latestStep, now: clock())
        }
    }

    private mutating func draw(_ line: String, now: Double) {
        output.write("\r" + padded(line, toWidth: drawnWidth))
        drawnWidth = line.count
        lastWriteTime = now
    }

    private mutating func logLine(_ line: String, step: Int, now: Double) {
        output.write(line + "\n")
        lastWriteTime = now
        lastWrittenStep = step
    }

    private func padded(_ text: String, toWidth width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// The status line: a bar on terminals, `key value` fields in logs.
    private func statusText(step: Int, epoch: Int, learningRate: Double?, now: Double) -> String {
        let total = max(configuration.totalSteps, 1)
        let fraction = min(max(Double(step) / Double(total), 0), 1)
        let elapsed = max(now - startTime, 0)
        let stepsDone = step - configuration.startStep
        let remaining: String
        if stepsDone > 0 {
            remaining = Self.duration(elapsed / Double(stepsDone) * Double(max(configuration.totalSteps - step, 0)))
        } else {
            remaining = "?"
        }
        let speed = elapsed > 0 ? Int((Double(tokensSinceStart) / elapsed).rounded()) : 0
        let loss = smoothedLoss.map { String(format: "%.4f", $0) }
        let rate = learningRate.map { String(format: "%.2e", $0) }
        let percent = Int(fraction * 100)
        let stepText = "\(step)/\(configuration.totalSteps)"
        let epochText = configuration.showsEpoch ? " epoch \(epoch)/\(configuration.totalEpochs)" : ""
        if output.isTerminal {
            let filled = Int(fraction * Double(Self.barWidth))
            let bar = String(repeating: "=", count: filled)
                + (filled < Self.barWidth ? ">" + String(repeating: " ", count: Self.barWidth - filled - 1) : "")
            let training = [loss.map { "loss \($0)" }, rate.map { "lr \($0)" }].compactMap { $0 }.map { "\($0) | " }.joined()
            return "\(percent)% [\(bar)] \(stepText)\(epochText) | \(training)\(speed) tok/s | "
                + "\(Self.duration(elapsed))<\(remaining)"
        }
        let training = [loss.map { "loss \($0) " }, rate.map { "lr \($0) " }].compactMap { $0 }.joined()
        return "\(configuration.stepName) \(stepText) (\(percent)%)\(epochText) \(training)tok/s \(speed) "
            + "elapsed \(Self.duration(elapsed)) eta \(remaining)"
    }

    /// `mm:ss`, or `h:mm:ss` from one hour on.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0
            ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%02d:%02d", minutes, secs)
    }
}
