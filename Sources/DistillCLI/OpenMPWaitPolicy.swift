import Foundation

/// `distill`'s default OpenMP waiting: threads waiting for work spin briefly (`GOMP_SPINCOUNT=20000`), then sleep.
///
/// GNU OpenMP's own default spins 300,000 times before sleeping, so two `distill` processes sharing the cores (an
/// `eval` beside a training run, tests in parallel) burn each other's time. Measured on this project's 2-core machine
/// (README, Two runs at once; 60 SST-2 fine-tuning updates): a single run takes 40.8 s with GNU's default, 41.4 s
/// with 20,000 and 44.3 s with no spinning at all (`OMP_WAIT_POLICY=passive`); two runs at once take 191 s each
/// with GNU's default, 75-77 s with 20,000 and 68-70 s passive. GNU OpenMP reads these settings once, as the library
/// loads, before any of our code runs; so when the user has chosen none, the program starts itself again with the
/// setting in its environment.
enum OpenMPWaitPolicy {
    /// The variables by which a user chooses how OpenMP waits; when any is set, it is left alone.
    static let userSettings = ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT"]
    /// Spins before a waiting thread sleeps.
    static let spinCount = "20000"

    /// Re-executes this program with `GOMP_SPINCOUNT` set unless the user set it or `OMP_WAIT_POLICY`; returns only
    /// when a setting is there (or when re-executing fails, in which case OpenMP's default stays).
    static func applyDefault() {
        let environment = ProcessInfo.processInfo.environment
        // The executable's own path rather than /proc/self/exe, so that the process keeps its name (ps, top).
        guard userSettings.allSatisfy({ environment[$0] == nil }),
              let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        else { return }
        setenv("GOMP_SPINCOUNT", spinCount, 1)
        execv(executable, CommandLine.unsafeArgv)
    }
}
