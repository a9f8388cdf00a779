import Foundation
import SafeTensors
import Tensors

/// Where a run stands: the next micro-batch to train on and the best evaluation so far.
struct TrainingProgress: Sendable, Equatable, Codable {
    /// Updates made.
    var step = 0
    /// The epoch (0-based) of the next micro-batch.
    var epoch = 0
    /// The position of the next micro-batch in that epoch's plan.
    var batchIndex = 0
    /// The best value of the selection metric so far, and the update after which it was measured.
    var bestMetric: Double?
    var bestStep: Int?

    enum CodingKeys: String, CodingKey {
        case step, epoch
        case batchIndex = "batch_index"
        case bestMetric = "best_metric"
        case bestStep = "best_step"
    }
}

/// The contents of `state.json` in a checkpoint: everything besides tensors that a resumed run needs.
struct CheckpointState: Sendable, Equatable, Codable {
    /// Bumped when the layout changes.
    static let currentFormat = 2

    var format = currentFormat
    var progress: TrainingProgress
    /// AdamW's update count (t in its bias corrections).
    var optimizerStep: Int
    /// The modules' random generator's state when the trainer was created (to check that a resumed run built its
    /// modules the same way) and when the checkpoint was written; `nil` when the trainer was given no generator.
    var randomStartState: [String]?
    var randomState: [String]?
    /// The batch source's ``BatchSource/savedState()`` (JSON text), for sources that need one.
    var sourceState: String?
    /// The trajectory settings of the run (``TrainingConfiguration/trajectorySettings``) and the training set size.
    var settings: [String: String]

    enum CodingKeys: String, CodingKey {
        case format, progress, settings
        case optimizerStep = "optimizer_step"
        case randomStartState = "random_start_state"
        case sourceState = "source_state"
        case randomState = "random_state"
    }

    /// The generator state as hexadecimal strings (JSON numbers cannot hold every `UInt64` exactly).
    static func encode(_ state: [UInt64]) -> [String] { state.map { String($0, radix: 16) } }
    static func decode(_ state: [String]) -> [UInt64]? {
        let words = state.compactMap { UInt64($0, radix: 16) }
        return words.count == state.count ? words : nil
    }
}

/// The checkpoint folder of an output directory, replaced as a whole: a new checkpoint is written to
/// `checkpoint.tmp`, the old one renamed to `checkpoint.old`, the new one renamed to `checkpoint`, and the old one
/// removed. A process killed at any point leaves either `checkpoint` or (between the two renames) only
/// `checkpoint.old` complete, and ``current`` finds whichever it is.
struct CheckpointFolder {
    static let name = "checkpoint"
    static let stateFile = "state.json"
    static let parametersFile = "parameters.safetensors"
    static let optimizerFile = "optimizer.safetensors"

    let directory: URL
    var staging: URL { directory.deletingLastPathComponent().appendingPathComponent(Self.name + ".tmp") }
    var retired: URL { directory.deletingLastPathComponent().appendingPathComponent(Self.name + ".old") }

    init(outputDirectory: URL) {
        directory = outputDirectory.appendingPathComponent(Self.name)
    }

    /// The complete checkpoint, if there is one.
    var current: URL? {
        [directory, retired].first { FileManager.default.fileExists(atPath: $0.appendingPathComponent(Self.stateFile).path) }
    }

    /// Writes a new checkpoint with `write` (given the folder to fill) and puts it in place of the old one.
    func replace(_ write: (URL) throws -> Void) throws {
        let files = FileManager.default
        do {
            try? files.removeItem(at: staging)
            try files.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.writeFailed(path: staging.path, reason: error.localizedDescription)
        }
        try write(staging)
        do {
            if files.fileExists(atPath: directory.path) {
                try? files.removeItem(at: retired)
                try files.moveItem(at: directory, to: retired)
            }
            try files.moveItem(at: staging, to: directory)
            try? files.removeItem(at: retired)
        } catch {
            throw TrainingError.writeFailed(path: directory.path, reason: error.localizedDescription)
        }
    }

    /// Removes every trace of a checkpoint (for a run that starts afresh).
    func removeAll() {
        for url in [directory, staging, retired] { try? FileManager.default.removeItem(at: url) }
    }
}

extension CheckpointState {
    func write(to folder: URL) throws {
        let url = folder.appendingPathComponent(CheckpointFolder.stateFile)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(self).write(to: url, options: .atomic)
        } catch {
            throw TrainingError.writeFailed(path: url.path, reason: error.localizedDescription)
        }
    }

    static func read(from folder: URL) throws(TrainingError) -> CheckpointState {
        let url = folder.appendingPathComponent(CheckpointFolder.stateFile)
        let state: CheckpointState
        do {
            state = try JSONDecoder().decode(CheckpointState.self, from: Data(contentsOf: url))
        } catch {
            throw .corruptCheckpoint(file: url.path, reason: "cannot read the training state (\(error))")
        }
        guard state.format == currentFormat else {
            throw .corruptCheckpoint(file: url.path, reason: "checkpoint format \(state.format), this build reads \(currentFormat)")
        }
        return state
    }
}

/// Named tensors in a safetensors file of a checkpoint.
enum CheckpointTensors {
    static func write(_ tensors: [(name: String, tensor: Tensor)], to url: URL) throws {
        let writable = tensors.map { WritableTensor(name: $0.name, shape: $0.tensor.shape, floats: $0.tensor.scalars) }
        do {
            try SafeTensorsWriter.write(writable, to: url)
        } catch {
            throw TrainingError.writeFailed(path: url.path, reason: "\(error)")
        }
    }

    /// Opens a checkpoint's tensor file.
    static func open(_ url: URL) throws(TrainingError) -> SafeTensorsFile {
        do {
            return try SafeTensorsFile(url: url)
        } catch {
            throw .corruptCheckpoint(file: url.path, reason: "\(error)")
        }
    }

    /// Copies tensor `name` of `file` into `tensor`, which must have its shape.
    static func copy(_ name: String, from file: SafeTensorsFile, into tensor: Tensor) throws(TrainingError) {
        guard let info = file.info(name) else {
            throw .corruptCheckpoint(file: file.url.path, reason: "no tensor '\(name)'")
        }
        guard info.shape == tensor.shape else {
            throw .corruptCheckpoint(
                file: file.url.path, reason: "tensor '\(name)' has shape \(info.shape), the run needs \(tensor.shape)")
        }
        do {
            try tensor.withUnsafeMutableBufferPointer { try file.withFloatsCopied(name, into: $0) }
        } catch {
            throw .corruptCheckpoint(file: file.url.path, reason: "\(error)")
        }
    }
}
