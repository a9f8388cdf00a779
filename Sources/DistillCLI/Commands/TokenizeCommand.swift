import ArgumentParser
import Foundation
import JSON
import Tokenizers

/// `distill tokenize`: a model directory's tokenizer applied to JSON lines on stdin.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize JSON lines from stdin with a model's WordPiece tokenizer.",
        discussion: """
            Reads one JSON object per line on stdin, {"text": "..."} (with --pair also "text_pair"; other keys \
            are ignored, blank lines skipped), and prints one line per object:
              {"ids": [...], "token_type_ids": [...], "offsets": [[start, end], ...]}
            with [CLS] and [SEP] added. Offsets are [start, end) Unicode code point indices into the text (into \
            "text_pair" for the second text's tokens), [0, 0] for special tokens, as Hugging Face reports them. \
            Nothing is padded, and nothing is truncated unless --max-length is given. The tokenizer comes from \
            DIR/tokenizer.json, or else DIR/vocab.txt with DIR/tokenizer_config.json.

            A malformed line stops the command with an error naming its line number (exit code 1); the lines \
            before it have been printed.

            Example:
              echo '{"text": "Hello, world!"}' |
                distill tokenize --model cache/all-MiniLM-L6-v2
            """)

    @Option(help: ArgumentHelp("The model directory holding the tokenizer files.", valueName: "dir"))
    var model: String

    @Flag(help: "Encode text pairs: every line must have \"text_pair\" as well as \"text\".")
    var pair = false

    @Option(help: "Truncate to at most this many tokens, special tokens included (default: no truncation).")
    var maxLength: Int?

    @Option(help: ArgumentHelp("Which text loses tokens beyond --max-length.", valueName: "strategy"))
    var truncation: TruncationStrategy = .longestFirst

    func validate() throws {
        if let maxLength, maxLength < 1 { throw ValidationError("--max-length must be at least 1, not \(maxLength)") }
        if truncation == .onlySecond && !pair { throw ValidationError("--truncation only_second needs --pair") }
    }

    func run() throws {
        let tokenizer = try BertTokenizer(directory: URL(fileURLWithPath: model))
        if let maxLength {
            let specialTokens = tokenizer.encode("", pair: pair ? "" : nil).count
            guard maxLength >= specialTokens else {
                throw ValidationError("--max-length \(maxLength) is less than the \(specialTokens) special tokens it must hold")
            }
        }
        try JSONLines.forEachBatch(size: 1, pairs: pair ? .required : .refused, nextLine: { readLine() }) { records in
            for record in records {
                let encoding = tokenizer.encode(record.text, pair: record.pair, maxLength: maxLength, truncation: truncation)
                let line: JSONValue = [
                    "ids": .array(encoding.ids.map { JSONValue(Int($0)) }),
                    "token_type_ids": .array(encoding.typeIds.map { JSONValue(Int($0)) }),
                    "offsets": .array(encoding.offsets.map { [JSONValue($0.lowerBound), JSONValue($0.upperBound)] }),
                ]
                print(line.serialized(.spaced))
            }
        }
    }
}

extension TruncationStrategy: ExpressibleByArgument {}
