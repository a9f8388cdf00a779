import Foundation

/// Why a training run cannot start, continue or save.
public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A setting of the configuration is out of range: which one, and the rule it breaks.
    case invalidSetting(TrainingSetting, String)
    /// The training set is empty.
    case noTrainingExamples
    /// The model's weights are quantized (int8 or bf16 storage), which runs inference only.
    case quantizedModel
    /// The loss needs labels but the batch has none.
    case unlabelledBatch(exampleIndex: Int)
    /// The evaluation does not report the metric the best model is chosen by.
    case missingSelectionMetric(String, reported: [String])
    /// The batch source ran out at `batchIndex` of `epoch`, before the `batchesPerEpoch` it announced.
    case batchSourceEnded(epoch: Int, batchIndex: Int, batchesPerEpoch: Int)
    /// `resume` was asked for but there is no checkpoint.
    case noCheckpoint(directory: String)
    /// The checkpoint was written by a run whose setting differs from this run's.
    case checkpointMismatch(file: String, setting: String, checkpoint: String, current: String)
    /// The modules' random generator did not start where the interrupted run's did: they were not built as in
    /// that run (another seed or base checkpoint).
    case randomStreamMismatch(file: String)
    /// A checkpoint file is missing, unreadable or malformed.
    case corruptCheckpoint(file: String, reason: String)
    /// A file or directory could not be written.
    case writeFailed(path: String, reason: String)
    /// Batches whose labels (of this kind) cannot be shared out among the processes of a data-parallel run.
    case unsplittableLabels(kind: String)
    /// In a run of several processes, a batch (not the last of its epoch) that is not the global batch of
    /// `processes` × the batch size: the batch source was built for one process.
    case notGlobalBatch(rows: Int, expected: Int, processes: Int)

    public var description: String {
        switch self {
        case .invalidSetting(let setting, let rule): "\(setting.description) \(rule)"
        case .noTrainingExamples: "the training set has no examples"
        case .quantizedModel:
            "the model is quantized (its config.json has quantization_config) and runs inference only; train its float32 original and quantize the result"
        case .unlabelledBatch(let index): "training example \(index) has no label"
        case .missingSelectionMetric(let metric, let reported):
            "evaluation does not report '\(metric)' (it reports \(reported.sorted().joined(separator: ", ")))"
        case .batchSourceEnded(let epoch, let batchIndex, let batchesPerEpoch):
            "the training batches of epoch \(epoch + 1) ended after \(batchIndex), before the \(batchesPerEpoch) announced"
        case .noCheckpoint(let directory):
            "\(directory): no checkpoint to resume from (a run writes one when stopped early or every so many updates)"
        case .checkpointMismatch(let file, let setting, let checkpoint, let current):
            "\(file): the checkpoint was written with \(setting) = \(checkpoint), this run has \(current); "
                + "resume with the same setting or start afresh"
        case .randomStreamMismatch(let file):
            "\(file): the random generator of this run does not start where the checkpoint's did; build the model as the "
                + "interrupted run did (same base checkpoint and seed)"
        case .corruptCheckpoint(let file, let reason): "\(file): \(reason)"
        case .writeFailed(let path, let reason): "\(path): cannot write (\(reason))"
        case .unsplittableLabels(let kind):
            "labels of kind \(kind) cannot be split by rows, so this run cannot be shared out among processes"
        case .notGlobalBatch(let rows, let expected, let processes):
            "a batch of \(rows) examples where \(processes) processes need the global batch of \(expected)"
                + " (the batch source must yield processes × batch size examples)"
        }
    }
}
