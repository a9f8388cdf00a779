import Foundation
import Models
import SafeTensors
import Tensors
import TestSupport
import Testing
import Tokenizers

/// `distill tokenize` and `distill embed`, run as the built binary (`distill` beside the test bundle, which
/// `swift build --build-tests` and `swift test` build): their JSON-lines input and output, and their errors.
@Suite struct CommandLineTests {
    /// What one run of the binary did.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Each output line parsed as a JSON object.
        func objects() throws -> [[String: Any]] {
            try stdout.split(separator: "\n").map { line in
                try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not an object: \(line)")
            }
        }
    }

    /// Runs `distill arguments` with `input` on stdin.
    static func run(_ arguments: [String], input: String) throws -> Run {
        let run = try CommandLine.runDistill(arguments, input: input)
        return Run(status: run.status, stdout: run.output, stderr: run.errors)
    }

    /// JSON lines of `objects`.
    static func jsonLines(_ objects: [[String: Any]]) throws -> String {
        try objects.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) + "\n" }.joined()
    }

    static let goldenTokenizer = Golden.url("golden/tokenizer")

    /// The first `count` golden records of a tokenizer golden file.
    static func goldenRecords(_ file: String, count: Int) throws -> [[String: Any]] {
        let text = try String(contentsOf: goldenTokenizer.appendingPathComponent(file), encoding: .utf8)
        return try text.split(separator: "\n").prefix(count).map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func tokenizeMatchesTheGoldenEncodings() throws {
        let golden = try Self.goldenRecords("single.jsonl", count: 60)
        let input = try Self.jsonLines(golden.map { ["text": $0["text"] ?? ""] })
        let run = try Self.run(["tokenize", "--model", Self.goldenTokenizer.path], input: input)
        #expect(run.status == 0, "\(run.stderr)")
        let outputs = try run.objects()
        try #require(outputs.count == golden.count)
        for (output, expected) in zip(outputs, golden) {
            let ids = try #require(output["ids"] as? [Int])
            #expect(ids == expected["ids"] as? [Int], "\(expected["text"] ?? "")")
            #expect(output["offsets"] as? [[Int]] == expected["offsets"] as? [[Int]], "\(expected["text"] ?? "")")
            #expect(output["token_type_ids"] as? [Int] == Array(repeating: 0, count: ids.count))
            #expect(output.keys.sorted() == ["ids", "offsets", "token_type_ids"])
        }
    }

    /// Question/context pairs truncated as the golden file was (`only_second`, 64 tokens), which is also padded:
    /// we compare the unpadded part.
    @Test func tokenizePairsWithTruncation() throws {
        let golden = try Self.goldenRecords("pairs.jsonl", count: 20)
        let input = try Self.jsonLines(golden.map { ["text": $0["first"] ?? "", "text_pair": $0["second"] ?? ""] })
        let run = try Self.run(["tokenize", "--model", Self.goldenTokenizer.path, "--pair", "--max-length", "64",
                                "--truncation", "only_second"], input: input)
        #expect(run.status == 0, "\(run.stderr)")
        let outputs = try run.objects()
        try #require(outputs.count == golden.count)
        for (output, expected) in zip(outputs, golden) {
            let length = (expected["attention_mask"] as? [Int] ?? []).filter { $0 == 1 }.count
            #expect(output["ids"] as? [Int] == (expected["ids"] as? [Int]).map { Array($0.prefix(length)) })
            #expect(output["token_type_ids"] as? [Int]
                == (expected["token_type_ids"] as? [Int]).map { Array($0.prefix(length)) })
            #expect(output["offsets"] as? [[Int]] == (expected["offsets"] as? [[Int]]).map { Array($0.prefix(length)) })
        }
    }

    /// The lines before a bad one are printed, the bad one gets an error naming it and nothing else, and the
    /// command stops with a failure status.
    @Test(arguments: [
        (#"{"text": "fine"}"# + "\n\n" + #"{"text": "broken"# + "\n" + #"{"text": "never read"}"#, 3, "invalid JSON", 1),
        (#"{"text": "fine"}"# + "\n" + #"{"label": 1}"# + "\n", 2, #"missing "text""#, 1),
        (#"{"text": "fine"}"# + "\n" + #"{"text": ["a"]}"# + "\n", 2, #""text" is not a string"#, 1),
        (#"["text"]"#, 1, "expected a JSON object", 0),
        (#"{"text": "a", "text_pair": "b"}"#, 1, "pass --pair", 0),
    ])
    func tokenizeStopsAtABadLine(input: String, line: Int, message: String, printed: Int) throws {
        let run = try Self.run(["tokenize", "--model", Self.goldenTokenizer.path], input: input)
        #expect(run.status != 0)
        #expect(run.stderr.contains("stdin line \(line): "), "\(run.stderr)")
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(try run.objects().count == printed)
    }

    /// A program that writes one line into `distill tokenize` and waits gets its answer while the pipe is still open.
    @Test func tokenizeAnswersEachLineBeforeTheInputEnds() throws {
        let binary = try #require(CommandLine.distillBinary)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["tokenize", "--model", Self.goldenTokenizer.path]
        let (input, output) = (Pipe(), Pipe())
        (process.standardInput, process.standardOutput) = (input, output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { try? input.fileHandleForWriting.close(); process.waitUntilExit() }
        input.fileHandleForWriting.write(Data(#"{"text": "hello world"}"#.utf8 + [10]))
        // The read blocks until bytes arrive (without a flush: when the input ends), so it waits on a thread.
        let answered = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var answer = ""
        Thread.detachNewThread {
            answer = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
            answered.signal()
        }
        let arrived = answered.wait(timeout: .now() + 30) == .success
        if !arrived { process.terminate() }
        #expect(arrived, "no answer while the input was open")
        #expect(!arrived || answer.hasPrefix(#"{"ids": ["#) && answer.hasSuffix("\n"), "\(answer)")
    }

    @Test func tokenizePairsNeedTheSecondText() throws {
        let run = try Self.run(["tokenize", "--model", Self.goldenTokenizer.path, "--pair"], input: #"{"text": "a"}"#)
        #expect(run.status != 0)
        #expect(run.stderr.contains(#"stdin line 1: missing "text_pair""#), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    /// Issues #14 and #15: a raw U+FEFF inside a JSON string (here at its start, after an escape and in the
    /// middle) reaches the tokenizer, so offsets count it as Hugging Face does; a byte-order mark before the
    /// first line is skipped.
    @Test func tokenizeKeepsByteOrderMarksInsideTexts() throws {
        let texts = ["\u{FEFF}BOM start", "a\n\u{FEFF}b", "mid\u{FEFF}dle"]
        let input = "\u{FEFF}" + [#"{"text": "\#u{FEFF}BOM start"}"#, #"{"text": "a\n\#u{FEFF}b"}"#, #"{"text": "mid\#u{FEFF}dle"}"#]
            .joined(separator: "\n")
        let run = try Self.run(["tokenize", "--model", Self.goldenTokenizer.path], input: input)
        #expect(run.status == 0, "\(run.stderr)")
        let outputs = try run.objects()
        try #require(outputs.count == texts.count)
        let tokenizer = try BertTokenizer(directory: Self.goldenTokenizer)
        for (output, text) in zip(outputs, texts) {
            let expected = tokenizer.encode(text)
            #expect(output["ids"] as? [Int] == expected.ids.map(Int.init), "\(text)")
            #expect(output["offsets"] as? [[Int]] == expected.offsets.map { [$0.lowerBound, $0.upperBound] }, "\(text)")
        }
        #expect((outputs[0]["offsets"] as? [[Int]])?[1].first == 1, "the first word starts after the U+FEFF")
        #expect((outputs[1]["offsets"] as? [[Int]])?.last(where: { $0 != [0, 0] })?.first == 3, "b follows a, \\n, U+FEFF")
    }

    /// Batches of 3 over 8 sentences (two padded differently from the golden batch) give the golden
    /// sentence-transformers embeddings.
    @Test func embedMatchesTheGoldenSentenceEmbeddings() throws {
        let texts = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: Golden.url("golden/minilm/forward.json")))
                as? [String: Any])["texts"] as? [String]
        let golden = try SafeTensorsFile(url: Golden.url("golden/minilm/forward.safetensors"))
        let expected = try golden.floats("sentence_embedding")
        let run = try Self.run(["embed", "--model", try Teacher.directory().path, "--batch-size", "3"],
                               input: try Self.jsonLines(try #require(texts).map { ["text": $0] }))
        #expect(run.status == 0, "\(run.stderr)")
        let outputs = try run.objects()
        try #require(outputs.count == 8)
        for (row, output) in outputs.enumerated() {
            let embedding = try #require(output["embedding"] as? [Double])
            try #require(embedding.count == 384)
            let reference = expected[(row * 384)..<((row + 1) * 384)].map(Double.init)
            let cosine = zip(embedding, reference).reduce(0) { $0 + $1.0 * $1.1 }
                / (embedding.reduce(0) { $0 + $1 * $1 }.squareRoot() * reference.reduce(0) { $0 + $1 * $1 }.squareRoot())
            #expect(cosine >= 0.99999, "row \(row): cosine \(cosine)")
        }
    }

    /// A bad line inside a batch: the good lines before it are embedded and printed, then the error.
    @Test func embedStopsAtABadLineAfterTheLinesBeforeIt() throws {
        let input = #"{"text": "one"}"# + "\n" + #"{"text": "two"}"# + "\n" + #"{"txt": "three"}"# + "\n" + #"{"text": "four"}"#
        let run = try Self.run(["embed", "--model", try Teacher.directory().path], input: input)
        #expect(run.status != 0)
        #expect(run.stderr.contains(#"stdin line 3: missing "text""#), "\(run.stderr)")
        let outputs = try run.objects()
        #expect(outputs.count == 2)
        #expect(outputs.allSatisfy { ($0["embedding"] as? [Double])?.count == 384 })
    }

    /// A text longer than the model's positions is truncated to them by default (here 24, below the tokenizer's
    /// 512), the same as asking for that length, and a task model's head is ignored.
    @Test func embedTruncatesToTheModelsPositions() throws {
        try withScratchDirectory { directory in
            var config = tinyConfig(.distilbert)
            config.vocabSize = 30522
            try SequenceClassifier(config: config, generator: RandomGenerator(seed: 40)).save(to: directory)
            try BertTokenizer(directory: Self.goldenTokenizer).save(to: directory)
            let input = try Self.jsonLines([
                ["text": String(repeating: "a rather long sentence, ", count: 40)], ["text": "short"],
            ])
            let byDefault = try Self.run(["embed", "--model", directory.path], input: input)
            #expect(byDefault.status == 0, "\(byDefault.stderr)")
            #expect(try byDefault.objects().count == 2)
            let explicit = try Self.run(["embed", "--model", directory.path, "--max-length", "24"], input: input)
            #expect(explicit.stdout == byDefault.stdout)
            let shorter = try Self.run(["embed", "--model", directory.path, "--max-length", "12"], input: input)
            #expect(shorter.status == 0)
            #expect(shorter.stdout.split(separator: "\n").first != byDefault.stdout.split(separator: "\n").first)
        }
    }

    @Test(arguments: [("tokenize", "--max-length"), ("embed", "default: 32")])
    func helpDescribesTheCommandWithAnExample(command: String, mentions: String) throws {
        let run = try Self.run([command, "--help"], input: "")
        #expect(run.status == 0)
        #expect(run.stdout.contains("Example:"))
        #expect(run.stdout.contains("distill \(command) --model"))
        #expect(run.stdout.contains(mentions))
    }
}
