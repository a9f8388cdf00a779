import Foundation
import Tensors

/// Sums the gradients of the trained parameters over a process group, fp32, in buckets: small tensors are
/// packed together so that a model of hundreds of tensors takes a few all-reduce calls, not hundreds (each call
/// pays the network's latency once). A tensor larger than a bucket is reduced in place on its own.
///
/// **Overlap with the backward pass.** Given the update's last loss, ``reduce(_:backward:extras:)`` back-propagates
/// it itself and starts summing a bucket (without waiting) as soon as the pass has finished every gradient in it,
/// so the last layers' gradients travel while the first layers' are computed (PyTorch DDP's scheme). Buckets hold
/// the parameters in reverse order, about the order a backward pass finishes them, and start strictly in turn: MPI
/// needs every process to start the same collectives in the same order, whatever order its pass finishes them in.
/// MPI advances a started sum only inside MPI calls, so each finished gradient also polls those in flight.
///
/// A parameter that has no gradient in any process keeps none, as it would in a single process (AdamW then
/// leaves it alone); one that has a gradient somewhere gets the sum, zeros standing in where it had none.
struct GradientAllReduce {
    let group: any ProcessGroup
    /// Floats per bucket (``TrainingConfiguration/allReduceBucketFloats``).
    var bucketCapacity: Int
    /// Whether buckets start during the backward pass, else after it
    /// (``TrainingConfiguration/overlapsCommunication``).
    var overlapsBackward: Bool

    /// Back-propagates `loss` (when this process has one; gradients accumulated before stay) and sums the
    /// gradients of `parameters` and the values of `extras` (per-update statistics: loss, tokens) over the group.
    /// Returns the seconds spent communicating outside the backward pass: the time the update waits for it.
    func reduce(_ parameters: [Tensor], backward loss: Tensor?, extras: inout [Float]) throws(ProcessGroupError) -> Double {
        var backwardSeconds = 0.0
        func timedBackward(_ pass: () -> Void) {
            let start = DispatchTime.now().uptimeNanoseconds
            pass()
            backwardSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let overlapped = overlapsBackward ? loss : nil
        if let loss, overlapped == nil { timedBackward { loss.backward() } }
        let reached = Set((overlapped?.recordedLeaves() ?? []).map(ObjectIdentifier.init))

        // Which parameters have a gradient in some process, with the extras in the same call.
        var header = parameters.map { $0.grad != nil || reached.contains(ObjectIdentifier($0)) ? Float(1) : 0 } + extras
        try header.withUnsafeMutableBufferPointer { buffer throws(ProcessGroupError) in try group.allReduceSum(buffer) }
        extras = Array(header[parameters.count...])

        var buckets = Buckets(
            zip(parameters, header).reversed().filter { $0.1 > 0 }.map(\.0), capacity: bucketCapacity, group: group,
            waitsForEach: overlapped == nil)
        for parameter in parameters where !reached.contains(ObjectIdentifier(parameter)) { buckets.finish(parameter) }
        try buckets.startReady()
        if let overlapped {
            var failure: ProcessGroupError?
            timedBackward {
                overlapped.backward { leaf in
                    guard failure == nil else { return }
                    do throws(ProcessGroupError) {
                        buckets.finish(leaf)
                        try buckets.startReady()
                    } catch { failure = error }
                }
            }
            if let failure { throw failure }
        }
        try buckets.finishAll()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 - backwardSeconds
    }
}

/// The parameters of one update in buckets, each summed once all its gradients are final.
private struct Buckets {
    private struct Bucket {
        var members: [Tensor]
        var unfinished: Int
        /// The packed gradients, or the only member's gradient itself when it is larger than a bucket.
        var values: Tensor?
        var sum: (any PendingSum)?
    }
    private var buckets: [Bucket] = []
    private var bucketOf: [ObjectIdentifier: Int] = [:]
    private var nextToStart = 0
    private let group: any ProcessGroup
    /// Whether each sum is finished before the next starts (MPI's blocking all-reduce: faster than its
    /// non-blocking one when there is nothing to overlap).
    private let waitsForEach: Bool

    /// `parameters` in the order their buckets start, each bucket at most `capacity` floats or one parameter.
    init(_ parameters: [Tensor], capacity: Int, group: any ProcessGroup, waitsForEach: Bool) {
        self.group = group
        self.waitsForEach = waitsForEach
        var filled = capacity
        for parameter in parameters {
            if buckets.isEmpty || filled + parameter.count > capacity {
                buckets.append(Bucket(members: [], unfinished: 0))
                filled = 0
            }
            buckets[buckets.count - 1].members.append(parameter)
            buckets[buckets.count - 1].unfinished += 1
            filled += parameter.count
            bucketOf[ObjectIdentifier(parameter)] = buckets.count - 1
        }
    }

    /// Records that `parameter`'s gradient is final (parameters in no bucket are ignored).
    mutating func finish(_ parameter: Tensor) {
        if let index = bucketOf[ObjectIdentifier(parameter)] { buckets[index].unfinished -= 1 }
    }

    /// Starts, in order, every bucket whose gradients are all final and whose predecessors have started, then
    /// lets the sums in flight advance.
    mutating func startReady() throws(ProcessGroupError) {
        while nextToStart < buckets.count && buckets[nextToStart].unfinished == 0 {
            try start(nextToStart)
            nextToStart += 1
        }
        for bucket in buckets[..<nextToStart] { _ = try bucket.sum?.poll() }
    }

    /// Waits for every sum and puts the results back into the gradients; every gradient must be final.
    mutating func finishAll() throws(ProcessGroupError) {
        try startReady()
        precondition(nextToStart == buckets.count, "a reached parameter's gradient was never reported final")
        for bucket in buckets {
            try bucket.sum?.wait()
            guard let values = bucket.values, values !== bucket.members.first?.grad else { continue }  // summed in place
            values.withUnsafeBufferPointer { packed in
                var offset = 0
                for grad in bucket.members.compactMap(\.grad) {
                    grad.withUnsafeMutableBufferPointer { g in _ = g.update(fromContentsOf: packed[offset..<offset + g.count]) }
                    offset += grad.count
                }
            }
        }
    }

    private mutating func start(_ index: Int) throws(ProcessGroupError) {
        let members = buckets[index].members
        for parameter in members where parameter.grad == nil { parameter.grad = Tensor.zeros(parameter.shape) }
        let grads = members.compactMap(\.grad)
        let values: Tensor
        if grads.count == 1 {
            values = grads[0]
        } else {
            values = Tensor.zeros([grads.reduce(0) { $0 + $1.count }])
            values.withUnsafeMutableBufferPointer { packed in
                var offset = 0
                for grad in grads {
                    grad.withUnsafeBufferPointer { g in
                        _ = UnsafeMutableBufferPointer(rebasing: packed[offset..<offset + g.count]).update(fromContentsOf: g)
                    }
                    offset += grad.count
                }
            }
        }
        buckets[index].values = values
        if waitsForEach {
            try values.withUnsafeMutableBufferPointer { buffer throws(ProcessGroupError) in try group.allReduceSum(buffer) }
        } else {
            buckets[index].sum = try group.startAllReduceSum(values)
        }
    }
}
