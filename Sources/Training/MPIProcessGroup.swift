import CMPI
import Foundation

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

    private static func count(_ values: UnsafeMutableBufferPointer<Float>) throws(ProcessGroupError) -> Int32 {
        guard let count = Int32(exactly: values.count) else { throw .bufferTooLarge(count: values.count) }
        return count
    }
}
