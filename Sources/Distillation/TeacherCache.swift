import Datasets
import Foundation
import SafeTensors

/// Everything the teacher's logits on a dataset depend on. A cached result is used only when the key it was
/// stored with equals the current one.
public struct TeacherCacheKey: Codable, Sendable, Equatable {
    /// Bumped when the cache layout or the way logits are computed changes (2: any number of outputs, per-token
    /// rows without padding).
    public static let currentVersion = 2

    public var version: Int
    /// The teacher's `model.safetensors` (or all its shards).
    public var teacherWeights: FileFingerprint
    /// The teacher's `config.json` (activation, LayerNorm epsilon, labels, ... change the outputs too).
    public var teacherConfig: FileFingerprint
    /// The data file the examples were read from.
    public var dataFile: FileFingerprint
    public var maxLength: Int
    public var exampleCount: Int
    /// ``ContentHash`` of every example's index, token ids and type ids: catches a change of tokenizer or of
    /// reading options that leaves the data file as it was.
    public var tokens: String

    public init(teacherDirectory: URL, dataFile: URL, maxLength: Int, examples: [TokenizedExample]) throws {
        version = Self.currentVersion
        let checkpoint = try SafeTensorsCheckpoint(directory: teacherDirectory)
        teacherWeights = try FileFingerprint(contentsOf: checkpoint.files.map(\.url))
        teacherConfig = try FileFingerprint(contentsOf: teacherDirectory.appendingPathComponent("config.json"))
        self.dataFile = try FileFingerprint(contentsOf: dataFile)
        self.maxLength = maxLength
        exampleCount = examples.count
        var hasher = ContentHash()
        for example in examples {
            hasher.combine(example.index)
            hasher.combine(example.ids)
            hasher.combine(example.typeIds)
        }
        tokens = hasher.hexDigits
    }

    /// The names of the parts that differ from `other`, for telling the user why the cache was rebuilt.
    public func differences(from other: TeacherCacheKey) -> [String] {
        var parts: [String] = []
        if version != other.version { parts.append("cache format") }
        if teacherWeights != other.teacherWeights { parts.append("teacher weights") }
        if teacherConfig != other.teacherConfig { parts.append("teacher config") }
        if dataFile != other.dataFile { parts.append("data file") }
        if maxLength != other.maxLength { parts.append("max length") }
        if exampleCount != other.exampleCount || tokens != other.tokens { parts.append("tokenized examples") }
        return parts
    }
}

/// How ``TeacherCache/logits(for:compute:)`` obtained the logits.
public enum TeacherCacheOutcome: Sendable, Equatable, CustomStringConvertible {
    /// Read from the cache; the teacher was not run.
    case hit
    /// Computed by running the teacher and stored, for the reason given.
    case computed(reason: String)

    public var description: String {
        switch self {
        case .hit: "teacher logits read from the cache"
        case .computed(let reason): "teacher logits computed (\(reason)) and cached"
        }
    }
}

/// Teacher logits stored on disk between runs: `<directory>/<name>.safetensors` and `<directory>/<name>.json`,
/// the ``TeacherCacheKey`` they were computed under.
///
/// The safetensors file holds ``TeacherLogits``' ragged layout as it is: `lengths` (I64 `[examples]`, each
/// example's token count) and, for each output `k`, `logits.k` (F32 `[rows] + row`, the rows of all examples one
/// after the other: one per example, or one per real token for a per-token output); its metadata
/// `logit_layout` says, per output, `per_example` or `per_token` (comma-separated).
///
/// A missing, unreadable or mismatched entry is a miss: the teacher is run again and the entry replaced. The key
/// file is removed before and written after the logits, so an interrupted write is never mistaken for a hit.
public struct TeacherCache: Sendable {
    /// The default directory inside a run's output directory.
    public static let directoryName = "teacher-cache"
    static let layoutKey = "logit_layout"

    public let directory: URL
    /// The entry's file name stem (one entry per dataset, e.g. `train`).
    public let name: String

    public init(directory: URL, name: String = "train") {
        self.directory = directory
        self.name = name
    }

    var logitsURL: URL { directory.appendingPathComponent("\(name).safetensors") }
    var keyURL: URL { directory.appendingPathComponent("\(name).json") }

    /// The cached logits if they were stored under `key` for examples with these indices, or else why not.
    public func lookup(_ key: TeacherCacheKey, exampleIndices: [Int]) -> Result<TeacherLogits, CacheMiss> {
        guard let data = try? Data(contentsOf: keyURL) else { return .failure(CacheMiss("no cache yet")) }
        guard let stored = try? JSONDecoder().decode(TeacherCacheKey.self, from: data) else {
            return .failure(CacheMiss("unreadable key file \(keyURL.lastPathComponent)"))
        }
        let changed = key.differences(from: stored)
        guard changed.isEmpty else { return .failure(CacheMiss(changed.joined(separator: ", ") + " changed")) }
        guard let logits = try? read(exampleIndices: exampleIndices) else {
            return .failure(CacheMiss("unreadable or incomplete \(logitsURL.lastPathComponent)"))
        }
        return .success(logits)
    }

    /// The stored logits, or `nil` when the file does not hold all of them for these examples.
    private func read(exampleIndices: [Int]) throws -> TeacherLogits? {
        let file = try SafeTensorsFile(url: logitsURL)
        guard let layout = file.metadata[Self.layoutKey]?.split(separator: ","), file.info("lengths")?.shape == [exampleIndices.count]
        else { return nil }
        let lengths = try file.integers("lengths").map { Int($0) }
        guard lengths.allSatisfy({ $0 > 0 }) else { return nil }
        let sizing = TeacherLogits(outputs: [], exampleIndices: exampleIndices, lengths: lengths)
        var outputs: [TeacherLogits.Output] = []
        for (k, kind) in layout.enumerated() {
            guard kind == "per_token" || kind == "per_example", let info = file.info("logits.\(k)"), !info.shape.isEmpty else { return nil }
            let shape = LogitShape(perToken: kind == "per_token", row: Array(info.shape.dropFirst()))
            guard info.shape[0] == sizing.rowCount(of: shape) else { return nil }
            outputs.append(TeacherLogits.Output(shape: shape, values: try file.floats("logits.\(k)")))
        }
        return TeacherLogits(outputs: outputs, exampleIndices: exampleIndices, lengths: lengths)
    }

    /// Writes `logits` under `key`, replacing any previous entry.
    public func store(_ logits: TeacherLogits, key: TeacherCacheKey) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: keyURL.path) { try FileManager.default.removeItem(at: keyURL) }
        let lengths = WritableTensor(name: "lengths", shape: [logits.lengths.count], integers: logits.lengths.map { Int64($0) })
        let outputs = logits.outputs.enumerated().map { k, output in
            WritableTensor(name: "logits.\(k)", shape: [logits.rowCount(of: output.shape)] + output.shape.row, floats: output.values)
        }
        let layout = logits.shapes.map { $0.perToken ? "per_token" : "per_example" }.joined(separator: ",")
        try SafeTensorsWriter.write([lengths] + outputs, metadata: ["content": "distill teacher logits", Self.layoutKey: layout],
                                    to: logitsURL)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(key).write(to: keyURL, options: .atomic)
    }

    /// The cached logits for `examples` if valid under `key`; otherwise the result of `compute`, stored first.
    public func logits(for key: TeacherCacheKey, examples: [TokenizedExample], compute: () throws -> TeacherLogits)
        throws -> (logits: TeacherLogits, outcome: TeacherCacheOutcome)
    {
        switch lookup(key, exampleIndices: examples.map(\.index)) {
        case .success(let logits):
            return (logits, .hit)
        case .failure(let miss):
            let logits = try compute()
            try store(logits, key: key)
            return (logits, .computed(reason: miss.reason))
        }
    }
}

/// Why a cache entry was not used.
public struct CacheMiss: Error, Sendable, Equatable {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }
}
