import ArgumentParser
import Foundation
import Training

/// How `distill` runs as one of the processes of an `mpirun` job: it joins the job before parsing, only process
/// 0 prints (the others' standard output and error go to /dev/null), and a failure in any process ends the whole
/// job at once (MPI_Abort), with its message, rather than leaving the others waiting for it in an all-reduce.
enum JobProcesses {
    /// Joins the job, runs the command as ArgumentParser's `main` does, and exits.
    static func main(_ command: ParsableCommand.Type) -> Never {
        OpenMPWaitPolicy.applyDefault()
        let world: any ProcessGroup
        do {
            world = try ProcessGroups.joinLaunchingJob()
        } catch {
            command.exit(withError: CommandLineError("\(error)"))
        }
        let savedError = world.isLeader ? nil : silenceOutput()
        if world.size > 1 && world.isLeader {
            printError("data-parallel on \(world.size) processes (Open MPI): batches are \(world.size) x --batch-size examples")
        }
        do {
            var parsed = try command.parseAsRoot()
            try parsed.run()
            command.exit()
        } catch {
            let code = command.exitCode(for: error)
            if world.size > 1 && code != .success && !(error is ExitCode) {
                if let savedError { dup2(savedError, STDERR_FILENO) }
                world.abort(message: command.fullMessage(for: error), code: code.rawValue)
            }
            command.exit(withError: error)
        }
    }

    /// Points standard output and error at /dev/null; returns a duplicate of the original standard error.
    private static func silenceOutput() -> Int32? {
        let null = open("/dev/null", O_WRONLY)
        guard null >= 0 else { return nil }
        let saved = dup(STDERR_FILENO)
        dup2(null, STDOUT_FILENO)
        dup2(null, STDERR_FILENO)
        close(null)
        return saved >= 0 ? saved : nil
    }
}
