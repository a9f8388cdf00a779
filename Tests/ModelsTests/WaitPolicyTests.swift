import Foundation
import TestSupport
import Testing

/// `distill` runs with a short OpenMP spin (GOMP_SPINCOUNT=20000) unless the user chose how OpenMP waits (issue
/// 14.6; the speed figures behind the default are a benchmark in the README, not a test). A `distill tokenize`
/// waiting on an open stdin is looked at through /proc.
@Suite(.enabled(if: CommandLine.distillBinary != nil, "the distill executable is not next to the test bundle"))
struct WaitPolicyTests {
    /// The OpenMP settings in the environment of a `distill` started with `environment` (the user's settings
    /// removed), after `seconds`, or as soon as they are `expected` (a re-execution replaces the environment; just
    /// after the start, /proc may still show the environment of the launching process).
    static func openMPSettings(startedWith environment: [String: String], expected: [String]? = nil, seconds: Double) throws -> [String] {
        let process = Process()
        guard let binary = CommandLine.distillBinary else { Issue.record("distill is not next to the tests"); return [] }
        process.executableURL = binary
        process.arguments = ["tokenize", "--model", CommandLineTests.goldenTokenizer.path]
        var inherited = ProcessInfo.processInfo.environment
        for name in ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT"] { inherited[name] = nil }
        process.environment = inherited.merging(environment) { $1 }
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { try? input.fileHandleForWriting.close(); process.waitUntilExit() }
        let deadline = Date().addingTimeInterval(seconds)
        var settings: [String] = []
        repeat {
            let variables = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(process.processIdentifier)/environ"))
            settings = variables.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                .filter { $0.hasPrefix("OMP_WAIT_POLICY=") || $0.hasPrefix("GOMP_SPINCOUNT=") }
            if let expected, settings == expected { break }
            Thread.sleep(forTimeInterval: 0.05)
        } while Date() < deadline
        return settings
    }

    @Test func threadsSpinBrieflyByDefault() throws {
        let expected = ["GOMP_SPINCOUNT=20000"]
        #expect(try Self.openMPSettings(startedWith: [:], expected: expected, seconds: 10) == expected)
    }

    @Test func aPolicyTheUserSetIsKept() throws {
        // Read after a second: a re-execution would have added GOMP_SPINCOUNT by then.
        for (name, value) in [("OMP_WAIT_POLICY", "active"), ("GOMP_SPINCOUNT", "10000")] {
            #expect(try Self.openMPSettings(startedWith: [name: value], seconds: 1) == ["\(name)=\(value)"])
        }
    }
}
