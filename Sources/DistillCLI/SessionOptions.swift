import ArgumentParser
import Evaluation
import Foundation
import Training

/// What `finetune` and `task` share besides the optimisation options: what to report, and how an output folder
/// holding an interrupted run is treated.
struct SessionOptions: ParsableArguments {
    @Option(name: .customLong("metric"), help: "A metric to report (repeatable; the first picks the best model). Default: the task's GLUE metrics.")
    var metrics: [Metric] = []

    @Option(help: "Batch size for evaluation on the dev set (and for the teacher's precomputation in `task`).")
    var evalBatchSize = 64

    @Flag(help: "Continue from <output>/checkpoint (same options as the interrupted run).")
    var resume = false

    @Flag(help: "Start afresh even though <output> holds a checkpoint (deleting it).")
    var overwrite = false

    func validate() throws {
        if resume && overwrite { throw ValidationError("--resume and --overwrite contradict each other") }
        if evalBatchSize < 1 { throw ValidationError("--eval-batch-size must be at least 1") }
    }

    /// Refuses to silently restart over an interrupted run's checkpoint.
    func checkNoStaleCheckpoint(in output: URL) throws {
        if !resume && !overwrite && Trainer.hasCheckpoint(in: output) {
            throw CommandLineError(
                "\(output.path) holds a checkpoint; pass --resume to continue that run or --overwrite to start afresh")
        }
    }
}
