import Foundation
import JSON

/// All tensors of a Hugging Face model directory, from a single `model.safetensors` or from the shards listed in
/// `model.safetensors.index.json`.
///
/// PyTorch pickle checkpoints (`pytorch_model.bin`) are refused with instructions for converting them: unpickling
/// can execute arbitrary code and is never done.
public struct SafeTensorsCheckpoint: SafeTensorsSource {
    /// Name of a single-file checkpoint.
    public static let singleFileName = "model.safetensors"
    /// Name of the shard index of a sharded checkpoint.
    public static let indexFileName = "model.safetensors.index.json"
    private static let pickleFileNames = ["pytorch_model.bin", "pytorch_model.bin.index.json"]

    /// The checkpoint directory.
    public let url: URL
    /// The files holding the tensors (one, or one per shard in name order).
    public let files: [SafeTensorsFile]
    /// The `__metadata__` of all files merged (the first file in `files` wins on conflicting keys).
    public let metadata: [String: String]
    public let names: [String]
    /// For each tensor, the index in `files` of the file holding it.
    private let fileIndex: [String: Int]

    /// Opens the checkpoint in `directory`: `model.safetensors` if present, else the index and its shards.
    public init(directory: URL) throws {
        let fileManager = FileManager.default
        let single = directory.appendingPathComponent(Self.singleFileName)
        let index = directory.appendingPathComponent(Self.indexFileName)
        if fileManager.fileExists(atPath: single.path) {
            let file = try SafeTensorsFile(url: single)
            let fileIndex = Dictionary(uniqueKeysWithValues: file.names.map { ($0, 0) })
            self.init(directory: directory, files: [file], fileIndex: fileIndex)
        } else if fileManager.fileExists(atPath: index.path) {
            try self.init(directory: directory, index: index)
        } else if let pickle = Self.pickleFileNames.first(where: {
            fileManager.fileExists(atPath: directory.appendingPathComponent($0).path)
        }) {
            throw SafeTensorsError(file: directory, fault: .pickleCheckpoint(found: pickle))
        } else {
            throw SafeTensorsError(
                file: directory, fault: .noCheckpoint(lookedFor: [Self.singleFileName, Self.indexFileName]))
        }
    }

    private init(directory: URL, files: [SafeTensorsFile], fileIndex: [String: Int]) {
        url = directory
        self.files = files
        self.fileIndex = fileIndex
        names = fileIndex.keys.sorted()
        metadata = files.reversed().reduce(into: [:]) { merged, file in merged.merge(file.metadata) { $1 } }
    }

    /// Reads `{"metadata": {...}, "weight_map": {tensor: shard file name}}` and opens every shard it names.
    private init(directory: URL, index: URL) throws {
        func fail(_ reason: String) -> SafeTensorsError {
            SafeTensorsError(file: index, fault: .invalidIndex(reason))
        }
        let bytes: Data
        do {
            bytes = try Data(contentsOf: index)
        } catch {
            throw SafeTensorsError(file: index, fault: .io(error.localizedDescription))
        }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw fail("not valid UTF-8") }
        let members = try SafeTensorsHeader.parseObject(Array(bytes), file: index)
        guard let weightMap = members.first(where: { $0.key == "weight_map" })?.value else {
            throw fail("missing \"weight_map\"")
        }
        guard case .object(let entries) = weightMap else {
            throw fail("\"weight_map\" is \(weightMap.kindName), not an object")
        }

        var shardNames: [String] = []
        var shardOfTensor: [String: String] = [:]
        for entry in entries {
            guard case .string(let shard) = entry.value else {
                throw fail("shard of \"\(entry.key)\" is \(entry.value.kindName), not a string")
            }
            // Shards are plain file names next to the index; anything else could point outside the checkpoint.
            guard !shard.isEmpty, !shard.contains("/"), !shard.contains("\\"), shard != ".", shard != ".." else {
                throw fail("shard name \"\(shard)\" of \"\(entry.key)\" is not a file name in the checkpoint directory")
            }
            if !shardNames.contains(shard) { shardNames.append(shard) }
            shardOfTensor[entry.key] = shard
        }
        shardNames.sort()

        let files = try shardNames.map { try SafeTensorsFile(url: directory.appendingPathComponent($0)) }
        let position = Dictionary(uniqueKeysWithValues: shardNames.enumerated().map { ($1, $0) })
        var fileIndex: [String: Int] = [:]
        for (tensor, shard) in shardOfTensor {
            guard let shardPosition = position[shard], files[shardPosition].info(tensor) != nil else {
                throw fail("tensor \"\(tensor)\" is not in its shard \"\(shard)\"")
            }
            fileIndex[tensor] = shardPosition
        }
        self.init(directory: directory, files: files, fileIndex: fileIndex)
    }

    public func info(_ name: String) -> TensorInfo? {
        fileIndex[name].flatMap { files[$0].info(name) }
    }

    public func withFloatsCopied(
        _ name: String, into buffer: UnsafeMutableBufferPointer<Float>, convertingIntegers: Bool
    ) throws {
        try file(holding: name).withFloatsCopied(name, into: buffer, convertingIntegers: convertingIntegers)
    }

    public func integers(_ name: String, convertingFloats: Bool) throws -> [Int64] {
        try file(holding: name).integers(name, convertingFloats: convertingFloats)
    }

    public func withUnsafeBytes<Result>(
        of name: String, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result {
        try file(holding: name).withUnsafeBytes(of: name, body)
    }

    private func file(holding name: String) throws -> SafeTensorsFile {
        guard let index = fileIndex[name] else { throw SafeTensorsError(file: url, fault: .missingTensor(name)) }
        return files[index]
    }
}
