import Foundation

extension CommandLine {
    /// `distill` in the directory of the running test bundle (`swift build --build-tests` builds it).
    public static let distillBinary: URL? = {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let binary = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("distill")
        return FileManager.default.isExecutableFile(atPath: binary.path) ? binary : nil
    }()

    /// `distill` is not next to the test bundle.
    public struct MissingDistillBinary: Error, CustomStringConvertible {
        public var description: String { "distill not found next to the tests: build it (swift build --build-tests)" }
    }

    /// A started `distill` process.
    public struct Started {
        public let process: Process
        public let outputFile: URL
        public let errorFile: URL

        /// Deletes the files that caught the output and errors.
        public func removeLogs() {
            for file in [outputFile, errorFile] { try? FileManager.default.removeItem(at: file) }
        }
    }

    /// `mpirun` on the `PATH` (Open MPI's openmpi-bin).
    public static let mpirun: URL? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        .map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    /// `mpirun` is not installed.
    public struct MissingMPIRun: Error, CustomStringConvertible {
        public var description: String {
            "mpirun not found: install Open MPI (apt-get install openmpi-bin libopenmpi-dev; .ci/run does) to run the data-parallel tests"
        }
    }

    /// Starts `distill` with `arguments` (and `environment` added to ours), its output and errors going to
    /// temporary files; with `processes`, as that many processes of an `mpirun` job on this machine.
    public static func startDistill(
        _ arguments: [String], input: String? = nil, environment: [String: String] = [:], processes: Int? = nil
    ) throws -> Started {
        guard let binary = distillBinary else { throw MissingDistillBinary() }
        let process = Process()
        if let processes {
            guard let mpirun else { throw MissingMPIRun() }
            process.executableURL = mpirun
            // --oversubscribe: more processes than this machine's cores may be asked for; as root (CI, containers),
            // Open MPI refuses to start without --allow-run-as-root.
            process.arguments = ["-np", "\(processes)", "--oversubscribe", "--allow-run-as-root", binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
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
    public static func runDistill(
        _ arguments: [String], input: String? = nil, environment: [String: String] = [:], processes: Int? = nil
    ) throws -> (status: Int32, output: String, errors: String) {
        let started = try startDistill(arguments, input: input, environment: environment, processes: processes)
        started.process.waitUntilExit()
        defer { started.removeLogs() }
        return (started.process.terminationStatus, try String(contentsOf: started.outputFile, encoding: .utf8),
                try String(contentsOf: started.errorFile, encoding: .utf8))
    }
}
