import Foundation

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

        package var description: String {
            switch self {
            case .invalidJSON(let reason): "invalid JSON: \(reason)"
            case .notAnObject: "expected a JSON object such as {\"text\": \"...\"}"
            case .missingKey(let key): "missing \"\(key)\""
            case .notAString(let key): "\"\(key)\" is not a string"
            case .unexpectedPair: "has a \"text_pair\"; pass --pair to encode text pairs"
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
}

/// Reading `TextRecord`s from JSON lines and writing results as JSON lines.
package enum JSONLines {
    /// The record on `line` (numbered from 1), or `nil` for a blank line.
    package static func record(_ line: String, number: Int, pairs: PairPolicy) throws(JSONLinesError) -> TextRecord? {
        guard line.contains(where: { !$0.isWhitespace }) else { return nil }
        func fail(_ fault: JSONLinesError.Fault) -> JSONLinesError { JSONLinesError(line: number, fault: fault) }
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
        } catch {
            // The debug description carries the position ("Unexpected end of file during string parse ...").
            throw fail(.invalidJSON((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"))
        }
        guard let object = value as? [String: Any] else { throw fail(.notAnObject) }
        func string(_ key: String) throws(JSONLinesError) -> String? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            guard let string = value as? String else { throw fail(.notAString(key: key)) }
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
    /// thrown, so that output lines always correspond to the input lines before the bad one.
    package static func forEachBatch(
        size batchSize: Int, pairs: PairPolicy, nextLine: () -> String?, _ body: ([TextRecord]) throws -> Void
    ) throws {
        var batch: [TextRecord] = []
        batch.reserveCapacity(batchSize)
        var number = 0
        while let line = nextLine() {
            number += 1
            let record: TextRecord?
            do {
                record = try Self.record(line, number: number, pairs: pairs)
            } catch {
                if !batch.isEmpty { try body(batch) }
                throw error
            }
            guard let record else { continue }
            batch.append(record)
            if batch.count == batchSize {
                try body(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try body(batch) }
    }

    /// `[1, 2, 3]`.
    package static func array<Number: BinaryInteger>(_ numbers: [Number]) -> String {
        "[" + numbers.map { String($0) }.joined(separator: ", ") + "]"
    }

    /// `[[0, 5], [6, 9]]` from `[start, end)` ranges.
    package static func offsets(_ ranges: [Range<Int>]) -> String {
        "[" + ranges.map { "[\($0.lowerBound), \($0.upperBound)]" }.joined(separator: ", ") + "]"
    }

    /// `[0.25, -1.5e-05]`: each float in its shortest form that reads back to the same `Float`; `null` for a
    /// non-finite value, which JSON cannot express.
    package static func array(_ floats: some Collection<Float>) -> String {
        "[" + floats.map { $0.isFinite ? $0.description : "null" }.joined(separator: ", ") + "]"
    }
}
