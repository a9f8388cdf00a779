import Foundation
import JSON

/// One input line of `distill tokenize` / `distill embed`: `{"text": ...}`, or `{"text": ..., "text_pair": ...}`
/// for a pair. Other keys (a label, an id, ...) are ignored.
package struct TextRecord: Sendable, Equatable {
    package var text: String
    package var pair: String?

    package init(text: String, pair: String? = nil) {
        self.text = text
        self.pair = pair
    }
}

/// A bad line of JSON-lines input, with its 1-based line number.
package struct JSONLinesError: Error, CustomStringConvertible, Equatable {
    package let line: Int
    package let fault: Fault

    package enum Fault: Equatable, CustomStringConvertible {
        case invalidJSON(String)
        /// Valid JSON, but not an object.
        case notAnObject
        case missingKey(String)
        case notAString(key: String)
        /// A `"text_pair"` where single texts are expected.
        case unexpectedPair
        /// A `"text"` that is empty or only whitespace, where a text to classify is expected.
        case emptyText

        package var description: String {
            switch self {
            case .invalidJSON(let reason): "invalid JSON: \(reason)"
            case .notAnObject: "expected a JSON object such as {\"text\": \"...\"}"
            case .missingKey(let key): "missing \"\(key)\""
            case .notAString(let key): "\"\(key)\" is not a string"
            case .unexpectedPair: "has a \"text_pair\"; pass --pair to encode text pairs"
            case .emptyText: "\"text\" is empty"
            }
        }
    }

    package var description: String { "stdin line \(line): \(fault)" }
}

/// Whether input lines carry a second text, `"text_pair"`.
package enum PairPolicy: Sendable {
    /// Single texts only: a `"text_pair"` is an error rather than silently dropped.
    case refused
    /// Every line must have one.
    case required
    /// Lines may have one or not.
    case optional
}

/// Reading `TextRecord`s from JSON lines and writing results as JSON lines.
package enum JSONLines {
    /// The record on `line` (numbered from 1), or `nil` for a blank line. A byte-order mark is skipped at the
    /// start of line 1 (the start of the input) only; anywhere else U+FEFF is text.
    package static func record(_ line: String, number: Int, pairs: PairPolicy) throws(JSONLinesError) -> TextRecord? {
        guard line.contains(where: { !$0.isWhitespace }) else { return nil }
        func fail(_ fault: JSONLinesError.Fault) -> JSONLinesError { JSONLinesError(line: number, fault: fault) }
        let object: JSONValue
        do {
            object = try JSONValue.parse(Array(line.utf8), skippingByteOrderMark: number == 1)
        } catch {
            throw fail(.invalidJSON(error.description))
        }
        guard object.members != nil else { throw fail(.notAnObject) }
        func string(_ key: String) throws(JSONLinesError) -> String? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let string = value.stringValue else { throw fail(.notAString(key: key)) }
            return string
        }
        guard let text = try string("text") else { throw fail(.missingKey("text")) }
        let pair = try string("text_pair")
        switch (pairs, pair) {
        case (.required, nil): throw fail(.missingKey("text_pair"))
        case (.refused, .some): throw fail(.unexpectedPair)
        default: return TextRecord(text: text, pair: pair)
        }
    }

    /// Reads lines from `nextLine` until it returns `nil` and hands the records to `body` in batches of at most
    /// `batchSize`, in input order. At the first bad line, the records before it are handed over and the error is
    /// thrown, so that output lines always correspond to the input lines before the bad one. Standard output is
    /// flushed after each batch: a program that writes a line into a pipe and waits for the answer gets it then,
    /// not when the input ends.
    package static func forEachBatch(
        size batchSize: Int, pairs: PairPolicy, nextLine: () -> String?, _ body: ([TextRecord]) throws -> Void
    ) throws {
        func handOver(_ batch: [TextRecord]) throws {
            defer { fflush(nil) }  // every output stream (naming stdout is not concurrency-safe in Swift 6)
            try body(batch)
        }
        var batch: [TextRecord] = []
        batch.reserveCapacity(batchSize)
        var number = 0
        while let line = nextLine() {
            number += 1
            let record: TextRecord?
            do {
                record = try Self.record(line, number: number, pairs: pairs)
            } catch {
                if !batch.isEmpty { try handOver(batch) }
                throw error
            }
            guard let record else { continue }
            batch.append(record)
            if batch.count == batchSize {
                try handOver(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try handOver(batch) }
    }
}
