import CMPI
import Foundation
import Tensors

/// The processes of an Open MPI job (`MPI_COMM_WORLD`), through the run-time loader in `CMPI`: Open MPI is
/// looked for only when a process is started by `mpirun`, so `distill` needs no MPI to build or to run alone.
public final class MPIProcessGroup: ProcessGroup {
    public let rank: Int
    public let size: Int

    /// Loads Open MPI and initialises it; one per process (see ``ProcessGroups/joinLaunchingJob(environment:)``).
    init() throws(ProcessGroupError) {
        var reason = [CChar](repeating: 0, count: 512)
        let status = reason.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { cmpi_init($0, buffer.count) } ?? -1 }
        guard status == 0 else {
            throw .unavailable(reason: String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        rank = Int(cmpi_rank())
        size = Int(cmpi_size())
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws(ProcessGroupError) {
        guard let base = values.baseAddress else { return }
        let count = try Self.count(values)
        let code = cmpi_allreduce_sum_float(base, count)
        if code != 0 { throw .communicationFailed(operation: "MPI_Allreduce", code: code) }
    }

    public func startAllReduceSum(_ values: Tensor) throws(ProcessGroupError) -> any PendingSum {
        try MPISum(values)
    }

    public func broadcastFromLeader(_ values: UnsafeMutableBufferPointer<Float>) throws(ProcessGroupError) {
        guard let base = values.baseAddress else { return }
        let count = try Self.count(values)
        let code = cmpi_broadcast_float(base, count, 0)
        if code != 0 { throw .communicationFailed(operation: "MPI_Bcast", code: code) }
    }

    public func abort(message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("process \(rank) of \(size): \(message)\n".utf8))
        cmpi_abort(code)
    }

    /// Ends MPI before the process exits (it is also done at exit).
    public func finalize() { cmpi_finalize() }

    fileprivate static func count(_ values: UnsafeMutableBufferPointer<Float>) throws(ProcessGroupError) -> Int32 {
        guard let count = Int32(exactly: values.count) else { throw .bufferTooLarge(count: values.count) }
        return count
    }
}

/// An `MPI_Iallreduce` in flight. MPI goes on writing to the tensor's memory after the call that started it has
/// returned, so the sum holds the tensor (whose storage never moves) until the request completes, and waits for
/// it if dropped before.
final class MPISum: PendingSum {
    private let values: Tensor
    private var request: UnsafeMutableRawPointer?
    private var finished = false

    init(_ values: Tensor) throws(ProcessGroupError) {
        self.values = values
        var request: UnsafeMutableRawPointer?
        let code = try values.withUnsafeMutableBufferPointer { buffer throws(ProcessGroupError) -> Int32 in
            guard let base = buffer.baseAddress else { return 0 }
            return cmpi_start_allreduce_sum_float(base, try MPIProcessGroup.count(buffer), &request)
        }
        if code != 0 { throw .communicationFailed(operation: "MPI_Iallreduce", code: code) }
        self.request = request
        finished = request == nil
    }

    func poll() throws(ProcessGroupError) -> Bool {
        guard !finished else { return true }
        var done: Int32 = 0
        let code = cmpi_test(&request, &done)
        if code != 0 { throw .communicationFailed(operation: "MPI_Test", code: code) }
        finished = done != 0
        return finished
    }

    func wait() throws(ProcessGroupError) {
        guard !finished else { return }
        let code = cmpi_wait(&request)
        if code != 0 { throw .communicationFailed(operation: "MPI_Wait", code: code) }
        finished = true
    }

    deinit { try? wait() }
}
