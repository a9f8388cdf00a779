import Foundation
import Tensors

/// The processes that train one model together (data parallelism): each computes gradients on its share of
/// every batch, the gradients are summed across the group, and every process makes the same update.
///
/// ``SingleProcess`` is the group of a run started on its own; ``MPIProcessGroup`` the one of a run started by
/// `mpirun`. ``ProcessGroups/world`` is the group of this process.
public protocol ProcessGroup: AnyObject, Sendable {
    /// This process's index in the group, from 0; process 0 writes the run's files and reports progress.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Replaces `values` by their element-wise sum over the processes (every process passes as many).
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws(ProcessGroupError)
    /// Starts replacing `values` by their element-wise sum over the processes and returns without waiting for
    /// it; `values` must be neither read nor written until the returned sum has finished. Every process starts
    /// the same sums in the same order.
    func startAllReduceSum(_ values: Tensor) throws(ProcessGroupError) -> any PendingSum
    /// Replaces `values` by process 0's (every process passes as many).
    func broadcastFromLeader(_ values: UnsafeMutableBufferPointer<Float>) throws(ProcessGroupError)
    /// Ends every process of the group after writing `message` to standard error.
    func abort(message: String, code: Int32) -> Never
}

extension ProcessGroup {
    /// Whether this is process 0, the one that writes files and reports.
    public var isLeader: Bool { rank == 0 }

    /// Whether `flag` is set in any process.
    public func any(_ flag: Bool) throws(ProcessGroupError) -> Bool {
        var value: Float = flag ? 1 : 0
        try withUnsafeMutablePointer(to: &value) { pointer throws(ProcessGroupError) in
            try allReduceSum(UnsafeMutableBufferPointer(start: pointer, count: 1))
        }
        return value > 0
    }
}

/// A sum over the processes that ``ProcessGroup/startAllReduceSum(_:)`` started.
public protocol PendingSum: AnyObject {
    /// Lets the communication advance without waiting; returns whether the sum has finished.
    func poll() throws(ProcessGroupError) -> Bool
    /// Waits until the sum has finished.
    func wait() throws(ProcessGroupError)
}

/// A sum that finished before it was returned: the group's blocking sum, for groups that have no other.
public final class FinishedSum: PendingSum {
    public init() {}
    public func poll() -> Bool { true }
    public func wait() {}
}

extension ProcessGroup {
    /// Sums at once (``allReduceSum(_:)``), so the returned sum has finished.
    public func startAllReduceSum(_ values: Tensor) throws(ProcessGroupError) -> any PendingSum {
        try values.withUnsafeMutableBufferPointer { buffer throws(ProcessGroupError) in try allReduceSum(buffer) }
        return FinishedSum()
    }
}

/// A run on its own: sums and broadcasts leave the values as they are.
public final class SingleProcess: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) {}
    public func broadcastFromLeader(_ values: UnsafeMutableBufferPointer<Float>) {}
    public func abort(message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(code)
    }
}

/// Why a process group cannot be joined or cannot communicate.
public enum ProcessGroupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The MPI library could not be loaded or initialised.
    case unavailable(reason: String)
    /// An MPI call returned an error code.
    case communicationFailed(operation: String, code: Int32)
    /// A buffer too large for one MPI call (its count is a C `int`).
    case bufferTooLarge(count: Int)

    public var description: String {
        switch self {
        case .unavailable(let reason): "MPI is not available: \(reason)"
        case .communicationFailed(let operation, let code): "\(operation) failed with MPI error \(code)"
        case .bufferTooLarge(let count): "cannot communicate \(count) values in one MPI call"
        }
    }
}

/// The process group of this process: ``SingleProcess`` unless ``joinLaunchingJob(environment:)`` found an
/// `mpirun` job.
public enum ProcessGroups {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var current: any ProcessGroup = SingleProcess()

    /// This process's group (a ``Trainer`` trains with it unless given another).
    public static var world: any ProcessGroup { lock.withLock { current } }

    /// Joins the MPI job when `mpirun` started this process (Open MPI sets `OMPI_COMM_WORLD_SIZE`), making it
    /// ``world``; otherwise leaves ``world`` a ``SingleProcess``. Call it once, early, from the main thread.
    /// Only Open MPI is supported: a process that another launcher started as one of several is refused.
    @discardableResult
    public static func joinLaunchingJob(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ProcessGroupError) -> any ProcessGroup {
        guard environment["OMPI_COMM_WORLD_SIZE"] != nil else {
            // MPICH's launcher sets PMI_SIZE: its processes would otherwise each train a copy, in the same place.
            if let size = environment["PMI_SIZE"], size != "1" {
                throw .unavailable(reason: "started by an MPI launcher other than Open MPI's mpirun (PMI_SIZE=\(size))")
            }
            return world
        }
        let group = try MPIProcessGroup()
        lock.withLock { current = group }
        return group
    }
}
