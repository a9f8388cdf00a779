import Tensors

/// Sums the gradients of the trained parameters over a process group, fp32, in buckets: small tensors are
/// packed together so that a model of hundreds of tensors takes a few all-reduce calls, not hundreds (each call
/// pays the network's latency once). A tensor larger than a bucket is reduced in place on its own.
///
/// A parameter that has no gradient in any process keeps none, as it would in a single process (AdamW then
/// leaves it alone); one that has a gradient somewhere gets the sum, zeros standing in where it had none.
struct GradientAllReduce {
    let group: any ProcessGroup
    /// Floats per bucket: 4 MiB, large enough that the bandwidth term dominates each call's latency.
    var bucketCapacity = 1 << 20

    /// Sums the gradients of `parameters` and the values of `extras` (per-update statistics: loss, tokens) over
    /// the group.
    func reduce(_ parameters: [Tensor], extras: inout [Float]) throws(ProcessGroupError) {
        var header = parameters.map { $0.grad == nil ? Float(0) : 1 } + extras
        try header.withUnsafeMutableBufferPointer { buffer throws(ProcessGroupError) in try group.allReduceSum(buffer) }
        extras = Array(header[parameters.count...])

        let largest = zip(parameters, header).filter { $0.1 > 0 }.reduce(0) { $0 + $1.0.count }
        var bucket = [Float](repeating: 0, count: min(bucketCapacity, largest))
        var pending: [Tensor] = []
        var filled = 0
        func flush() throws(ProcessGroupError) {
            guard filled > 0 else { return }
            try bucket.withUnsafeMutableBufferPointer { buffer throws(ProcessGroupError) in
                try group.allReduceSum(UnsafeMutableBufferPointer(rebasing: buffer[..<filled]))
                var offset = 0
                for grad in pending {
                    grad.withUnsafeMutableBufferPointer { g in
                        _ = g.update(fromContentsOf: buffer[offset..<offset + g.count])
                        offset += g.count
                    }
                }
            }
            pending.removeAll()
            filled = 0
        }
        for (parameter, present) in zip(parameters, header) where present > 0 {
            let grad = parameter.grad ?? Tensor.zeros(parameter.shape)
            parameter.grad = grad
            if grad.count > bucketCapacity {
                try grad.withUnsafeMutableBufferPointer { g throws(ProcessGroupError) in try group.allReduceSum(g) }
                continue
            }
            if filled + grad.count > bucketCapacity { try flush() }
            grad.withUnsafeBufferPointer { g in
                bucket.withUnsafeMutableBufferPointer { buffer in
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[filled..<filled + g.count]).update(fromContentsOf: g)
                }
            }
            pending.append(grad)
            filled += grad.count
        }
        try flush()
    }
}
