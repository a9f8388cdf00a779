import ArgumentParser
import Training

/// How the processes of an `mpirun` job sum their gradients (the training commands and `distill general`); the
/// defaults are `TrainingConfiguration`'s.
struct DataParallelOptions: ParsableArguments {
    @Flag(
        inversion: .prefixedNo,
        help: """
            Sum gradient buckets over the processes while the backward pass computes the rest (PyTorch DDP's \
            overlap), or only after it; the weights are the same either way (default: overlap; the README's \
            Data-parallel training section has the measurements).
            """)
    var overlapAllreduce = TrainingConfiguration().overlapsCommunication

    @Option(help: "Megabytes of gradients per all-reduce call (default 4: bandwidth dominates each call's latency; PyTorch DDP's bucket_cap_mb is 25).")
    var bucketMb = Double(TrainingConfiguration().allReduceBucketFloats * MemoryLayout<Float>.size) / 1_048_576

    func apply(to configuration: inout TrainingConfiguration) {
        configuration.overlapsCommunication = overlapAllreduce
        let floats = (bucketMb * 1_048_576 / Double(MemoryLayout<Float>.size)).rounded(.down)
        configuration.allReduceBucketFloats = floats.isFinite ? Int(min(max(floats, 0), Double(Int32.max))) : 0
    }
}
