import Datasets
import Foundation
import Testing
import Tokenizers

/// A temporary folder removed when the value goes away.
final class CorpusFolder {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString)")

    init() throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// Writes `bytes` to `name` in the folder.
    func file(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file
    }

    func file(_ name: String, _ text: String) throws -> URL { try file(name, Array(text.utf8)) }
}

/// Every document of `url`, read `chunkSize` bytes at a time.
private func documents(_ url: URL, _ boundary: DocumentBoundary, chunkSize: Int, skip: Bool = false) throws -> [String] {
    let reader = try TextCorpusReader(url: url, boundary: boundary, skipInvalidLines: skip, chunkSize: chunkSize)
    var result: [String] = []
    while let document = try reader.nextDocument() { result.append(document) }
    return result
}

@Suite struct TextCorpusReaderTests {
    @Test func readsLinesAcrossChunkBoundaries() throws {
        let folder = try CorpusFolder()
        let url = try folder.file("lines.txt", "first line\r\n\n  second  \nthird, no newline")
        for chunkSize in [1, 3, 7, 1 << 16] {
            #expect(try documents(url, .line, chunkSize: chunkSize) == ["first line", "second", "third, no newline"])
        }
    }

    @Test func readsParagraphsSeparatedByBlankLines() throws {
        let folder = try CorpusFolder()
        let url = try folder.file("paragraphs.txt", "\n\nOne a.\nOne b.\n\n\n  \nTwo a.\n\nThree é.\n")
        for chunkSize in [2, 5, 1 << 16] {
            #expect(try documents(url, .blankLine, chunkSize: chunkSize) == ["One a. One b.", "Two a.", "Three é."])
        }
    }

    @Test func resumesAfterTheLastDocumentFromASavedPosition() throws {
        let folder = try CorpusFolder()
        let url = try folder.file("paragraphs.txt", "a\nb\n\nc\n\nd\ne\n\n\nf")
        let all = try documents(url, .blankLine, chunkSize: 3)
        for split in 0...all.count {
            let first = try TextCorpusReader(url: url, boundary: .blankLine, chunkSize: 3)
            for _ in 0..<split { _ = try first.nextDocument() }
            let saved = try JSONDecoder().decode(CorpusPosition.self, from: JSONEncoder().encode(first.position))
            let second = try TextCorpusReader(url: url, boundary: .blankLine, from: saved, chunkSize: 4)
            var rest: [String] = []
            while let document = try second.nextDocument() { rest.append(document) }
            #expect(Array(all.prefix(split)) + rest == all, "split after \(split)")
        }
    }

    @Test func badTextIsAnErrorNamingFileAndLineOrIsSkippedAndCounted() throws {
        let folder = try CorpusFolder()
        let invalid = try folder.file("invalid.txt", Array("ok\nstill ok\n".utf8) + [0x66, 0xFF, 0x0A] + Array("last\n".utf8))
        #expect(throws: CorpusError.invalidUTF8(file: invalid.path, line: 3)) {
            try documents(invalid, .line, chunkSize: 4)
        }
        let binary = try folder.file("binary.bin", [0x41, 0x0A, 0x00, 0x01, 0x02, 0x0A])
        #expect(throws: CorpusError.binaryContent(file: binary.path, line: 2)) {
            try documents(binary, .line, chunkSize: 64)
        }

        let reader = try TextCorpusReader(url: invalid, skipInvalidLines: true, chunkSize: 4)
        var kept: [String] = []
        while let document = try reader.nextDocument() { kept.append(document) }
        #expect(kept == ["ok", "still ok", "last"])
        #expect(reader.position.skippedLines == 1)
        #expect(reader.position.line == 4)
    }

    @Test func emptyFilesAndBadPositionsAreErrors() throws {
        let folder = try CorpusFolder()
        let empty = try folder.file("empty.txt", "")
        #expect(throws: CorpusError.noDocuments(file: empty.path)) { try documents(empty, .line, chunkSize: 8) }
        let blank = try folder.file("blank.txt", "\n  \n\n")
        #expect(throws: CorpusError.noDocuments(file: blank.path)) { try documents(blank, .blankLine, chunkSize: 8) }

        let short = try folder.file("short.txt", "abc\n")
        var position = CorpusPosition(file: short.path)
        position.byteOffset = 99
        #expect(throws: CorpusError.self) { try TextCorpusReader(url: short, from: position) }
        #expect(throws: CorpusError.self) { try TextCorpusReader(url: short, from: CorpusPosition(file: "/elsewhere.txt")) }
    }
}

@Suite struct TokenSequenceStreamTests {
    /// `[PAD] [UNK] [CLS] [SEP] [MASK]` then the words `w0` ... `w19`.
    static func tokenizer() throws -> BertTokenizer {
        try BertTokenizer(vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + (0..<20).map { "w\($0)" })
    }

    /// Lines of words `w<i>`, document `d` holding `d + 1` words.
    static func corpus(_ folder: CorpusFolder, documents: Int) throws -> URL {
        let lines = (0..<documents).map { document in
            (0...document).map { "w\(($0 + document) % 20)" }.joined(separator: " ")
        }
        return try folder.file("corpus.txt", lines.joined(separator: "\n") + "\n")
    }

    static func drain(_ stream: TokenSequenceStream) throws -> [TokenizedExample] {
        var sequences: [TokenizedExample] = []
        while let sequence = try stream.next() { sequences.append(sequence) }
        return sequences
    }

    @Test func concatenationFillsEverySequenceButTheLast() throws {
        let folder = try CorpusFolder()
        let url = try Self.corpus(folder, documents: 6)  // 1 + 2 + ... + 6 = 21 words
        let tokenizer = try Self.tokenizer()
        let sequences = try Self.drain(TokenSequenceStream(url: url, tokenizer: tokenizer, maxLength: 8, chunkSize: 5))
        #expect(sequences.map(\.length) == [8, 8, 8, 5])  // 6 + 6 + 6 + 3 words, each with [CLS] and [SEP]
        #expect(sequences.map(\.index) == [0, 1, 2, 3])
        #expect(sequences.allSatisfy { $0.ids.first == tokenizer.clsId && $0.ids.last == tokenizer.sepId && $0.label == nil })
        let words = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isWhitespace).map {
            tokenizer.id(of: String($0))
        }
        #expect(sequences.flatMap { $0.ids.dropFirst().dropLast() } == words.compactMap { $0 })
    }

    @Test func truncationMakesOneSequencePerDocument() throws {
        let folder = try CorpusFolder()
        let url = try Self.corpus(folder, documents: 6)
        let sequences = try Self.drain(
            TokenSequenceStream(url: url, tokenizer: try Self.tokenizer(), maxLength: 5, packing: .truncate))
        #expect(sequences.map(\.length) == [3, 4, 5, 5, 5, 5])
        #expect(sequences[3].ids == [2, 8, 9, 10, 3] as [Int32])  // document 3 is "w3 w4 w5 w6" (ids 5 + k), cut after 3 words
    }

    @Test func aSavedPositionResumesWithTheSameSequences() throws {
        let folder = try CorpusFolder()
        let url = try Self.corpus(folder, documents: 9)
        let tokenizer = try Self.tokenizer()
        for packing in [SequencePacking.concatenate, .truncate] {
            let all = try Self.drain(TokenSequenceStream(url: url, tokenizer: tokenizer, maxLength: 7, packing: packing))
            for split in 0...all.count {
                let first = try TokenSequenceStream(url: url, tokenizer: tokenizer, maxLength: 7, packing: packing, chunkSize: 6)
                for _ in 0..<split { _ = try first.next() }
                // As a checkpoint would: through JSON, into a new stream (the old one is gone).
                let saved = try JSONDecoder().decode(TokenStreamPosition.self, from: JSONEncoder().encode(first.position))
                let second = try TokenSequenceStream(
                    url: url, tokenizer: tokenizer, maxLength: 7, packing: packing, from: saved, chunkSize: 4)
                #expect(Array(all.prefix(split)) + (try Self.drain(second)) == all, "\(packing) split after \(split)")
            }
        }
    }
}
