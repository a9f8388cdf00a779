import Dispatch
import Foundation

/// A request to stop training cleanly: the trainer checks it between updates and, when it is set, writes a
/// checkpoint and returns (``TrainingSummary/stoppedEarly``).
///
/// ``installingSignalHandlers(_:)`` sets it on Ctrl-C (SIGINT) or SIGTERM; a second signal ends the process at
/// once. Anything else may call ``request()``, from any thread.
public final class StopRequest: @unchecked Sendable {
    // `requested` is guarded by `lock`; `sources` is written once, in `installingSignalHandlers`, before sharing.
    private let lock = NSLock()
    private var requested = false
    private var sources: [any DispatchSourceSignal] = []

    public init() {}

    /// Whether a stop has been requested.
    public var isRequested: Bool { lock.withLock { requested } }

    /// Asks the training loop to stop after the update in progress.
    public func request() { lock.withLock { requested = true } }

    /// A request that the given signals set. The signals' default action (ending the process) is replaced for
    /// as long as the returned object lives; a second signal after the first still ends the process, with the
    /// usual status 128 + signal number.
    public static func installingSignalHandlers(_ signals: [Int32] = [SIGINT, SIGTERM]) -> StopRequest {
        let stop = StopRequest()
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak stop] in
                guard let stop else { return }
                if stop.isRequested { exit(128 + number) }
                stop.request()
                FileHandle.standardError.write(Data(
                    "\nstopping after this update and saving a checkpoint (signal again to quit at once)\n".utf8))
            }
            source.resume()
            stop.sources.append(source)
        }
        return stop
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
