import Foundation
import SafeTensors
import TestSupport
import Testing

/// Directory loading: single file, sharded index, pickles refused, nothing found.
@Suite struct CheckpointTests {
    /// A directory with two shards written by `SafeTensorsWriter` and an index for them.
    private func shardedCheckpoint(index: String? = nil) throws -> URL {
        let directory = try makeScratchDirectory()
        try SafeTensorsWriter.write(
            [WritableTensor(name: "a", shape: [2], floats: [1, 2]),
             WritableTensor(name: "ids", shape: [3], integers: [4, 5, 6])],
            metadata: ["shard": "1"],
            to: directory.appendingPathComponent("model-00001-of-00002.safetensors"))
        try SafeTensorsWriter.write(
            [WritableTensor(name: "b", shape: [1, 1], floats: [3])],
            metadata: ["shard": "2", "extra": "x"],
            to: directory.appendingPathComponent("model-00002-of-00002.safetensors"))
        let defaultIndex = """
            {"metadata": {"total_size": 28}, "weight_map": {
              "a": "model-00001-of-00002.safetensors",
              "ids": "model-00001-of-00002.safetensors",
              "b": "model-00002-of-00002.safetensors"}}
            """
        try Data((index ?? defaultIndex).utf8)
            .write(to: directory.appendingPathComponent("model.safetensors.index.json"))
        return directory
    }

    private func indexError(_ index: String) throws -> SafeTensorsError {
        let directory = try shardedCheckpoint(index: index)
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try #require(throws: SafeTensorsError.self) { try SafeTensorsCheckpoint(directory: directory) }
        #expect(error.file == directory.appendingPathComponent("model.safetensors.index.json"))
        return error
    }

    @Test func shardedCheckpointPresentsAllTensors() throws {
        let directory = try shardedCheckpoint()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = try SafeTensorsCheckpoint(directory: directory)
        #expect(checkpoint.names == ["a", "b", "ids"])
        #expect(checkpoint.files.count == 2)
        #expect(checkpoint.metadata == ["format": "pt", "shard": "1", "extra": "x"])
        #expect(try checkpoint.floats("a") == [1, 2])
        #expect(try checkpoint.floats("b") == [3])
        #expect(try checkpoint.integers("ids") == [4, 5, 6])
        #expect(checkpoint.info("b")?.shape == [1, 1])
        try checkpoint.expectShape("b", [1, 1])

        let missing = try #require(throws: SafeTensorsError.self) { try checkpoint.floats("c") }
        #expect(missing == SafeTensorsError(file: directory, fault: .missingTensor("c")))
    }

    @Test func singleFileIsPreferredOverIndex() throws {
        let directory = try shardedCheckpoint()
        defer { try? FileManager.default.removeItem(at: directory) }
        try SafeTensorsWriter.write([WritableTensor(name: "single", shape: [1], floats: [0])],
                                    to: directory.appendingPathComponent("model.safetensors"))
        #expect(try SafeTensorsCheckpoint(directory: directory).names == ["single"])
    }

    @Test func indexNamingTensorAbsentFromShard() throws {
        let error = try indexError(#"{"weight_map": {"a": "model-00002-of-00002.safetensors"}}"#)
        #expect(error.fault == .invalidIndex("tensor \"a\" is not in its shard \"model-00002-of-00002.safetensors\""))
    }

    @Test func indexWithoutWeightMap() throws {
        #expect(try indexError(#"{"metadata": {}}"#).fault == .invalidIndex("missing \"weight_map\""))
    }

    @Test func indexPointingOutsideDirectory() throws {
        let error = try indexError(#"{"weight_map": {"a": "../model-00001-of-00002.safetensors"}}"#)
        guard case .invalidIndex(let reason) = error.fault, reason.contains("not a file name") else {
            Issue.record("unexpected \(error)")
            return
        }
    }

    @Test func indexWithDuplicateTensor() throws {
        let error = try indexError(#"{"weight_map": {"a": "x.safetensors", "a": "y.safetensors"}}"#)
        #expect(error.fault == .duplicateKey("duplicate key \"a\" inside \"weight_map\""))
    }

    @Test func indexNamingMissingShard() throws {
        let directory = try shardedCheckpoint(index: #"{"weight_map": {"a": "gone.safetensors"}}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try #require(throws: SafeTensorsError.self) { try SafeTensorsCheckpoint(directory: directory) }
        #expect(error.file == directory.appendingPathComponent("gone.safetensors"))
    }

    @Test func pickleCheckpointIsRefusedWithConversionHint() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data([0x80, 0x02]).write(to: directory.appendingPathComponent("pytorch_model.bin"))
        let error = try #require(throws: SafeTensorsError.self) { try SafeTensorsCheckpoint(directory: directory) }
        #expect(error == SafeTensorsError(file: directory, fault: .pickleCheckpoint(found: "pytorch_model.bin")))
        #expect(error.description.contains("save_pretrained(dir, safe_serialization=True)"))
    }

    @Test func emptyDirectoryListsWhatWasLookedFor() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try #require(throws: SafeTensorsError.self) { try SafeTensorsCheckpoint(directory: directory) }
        #expect(error.fault == .noCheckpoint(lookedFor: ["model.safetensors", "model.safetensors.index.json"]))
        #expect(error.description.contains("model.safetensors, model.safetensors.index.json"))
    }
}
