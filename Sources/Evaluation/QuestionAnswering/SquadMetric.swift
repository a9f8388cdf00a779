/// The official SQuAD v1.1 metrics (`evaluate-v1.1.py`): exact match and token F1 of a predicted answer
/// against each reference after normalisation, the best over the references.
public enum SquadMetric {
    /// The normalised answer: lower-cased, ASCII punctuation removed, the words "a", "an" and "the" removed,
    /// whitespace collapsed to single spaces (the official script's order).
    public static func normalize(_ text: String) -> String {
        let lowered = text.lowercased().unicodeScalars.filter { !punctuation.contains($0) }
        // Python's `re.sub(r"\b(a|an|the)\b", " ", s)`: a maximal run of word characters that is an article.
        var result = String.UnicodeScalarView()
        var word = String.UnicodeScalarView()
        func flushWord() {
            if articles.contains(String(word)) { result.append(" ") } else { result.append(contentsOf: word) }
            word.removeAll()
        }
        for scalar in lowered {
            if isWordCharacter(scalar) {
                word.append(scalar)
            } else {
                flushWord()
                result.append(scalar)
            }
        }
        flushWord()
        return tokens(ofNormalized: String(result)).joined(separator: " ")
    }

    /// 1 if the normalised prediction equals a normalised reference, else 0.
    public static func exactMatch(_ prediction: String, references: [String]) -> Double {
        let predicted = normalize(prediction)
        return references.contains { normalize($0) == predicted } ? 1 : 0
    }

    /// The best token F1 over the references: 2PR / (P + R) over the multiset of common normalised tokens. Two
    /// empty answers agree (F1 1), as in the v2.0 script, so that a question without answer can be scored.
    public static func f1(_ prediction: String, references: [String]) -> Double {
        let predicted = tokens(ofNormalized: normalize(prediction))
        return references.map { f1(predicted, tokens(ofNormalized: normalize($0))) }.max() ?? 0
    }

    /// Exact match and F1 of every prediction against its references, as percentages of the questions. The
    /// references of a question without answer are `[""]`.
    public static func scores(predictions: [String], references: [[String]]) -> SquadScores {
        precondition(predictions.count == references.count, "one prediction per question")
        guard !predictions.isEmpty else { return SquadScores(exactMatch: 0, f1: 0, count: 0) }
        var exact = 0.0, f1Total = 0.0
        for (prediction, answers) in zip(predictions, references) {
            let answers = answers.isEmpty ? [""] : answers
            exact += exactMatch(prediction, references: answers)
            f1Total += f1(prediction, references: answers)
        }
        let count = Double(predictions.count)
        return SquadScores(exactMatch: 100 * exact / count, f1: 100 * f1Total / count, count: predictions.count)
    }

    private static func f1(_ predicted: [Substring], _ reference: [Substring]) -> Double {
        if predicted.isEmpty || reference.isEmpty { return predicted.isEmpty && reference.isEmpty ? 1 : 0 }
        var counts: [Substring: Int] = [:]
        for token in reference { counts[token, default: 0] += 1 }
        var common = 0
        for token in predicted where counts[token, default: 0] > 0 {
            counts[token, default: 0] -= 1
            common += 1
        }
        guard common > 0 else { return 0 }
        let precision = Double(common) / Double(predicted.count)
        let recall = Double(common) / Double(reference.count)
        return 2 * precision * recall / (precision + recall)
    }

    /// Python's `str.split()` of a normalised answer.
    private static func tokens(ofNormalized text: String) -> [Substring] {
        text.split { $0.unicodeScalars.allSatisfy(\.properties.isWhitespace) }
    }

    /// Python's `string.punctuation`.
    private static let punctuation = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars)
    private static let articles: Set<String> = ["a", "an", "the"]

    /// Python's `\w` on `str`: letters, digits and other numbers, and the underscore.
    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber: true
        default: scalar == "_" || scalar.properties.numericType != nil
        }
    }
}

/// SQuAD exact match and F1 over a set of questions, in percent.
public struct SquadScores: Sendable, Equatable, Codable {
    public var exactMatch: Double
    public var f1: Double
    /// The number of questions scored.
    public var count: Int

    public init(exactMatch: Double, f1: Double, count: Int) {
        self.exactMatch = exactMatch
        self.f1 = f1
        self.count = count
    }

    enum CodingKeys: String, CodingKey {
        case exactMatch = "exact_match", f1, count
    }
}
