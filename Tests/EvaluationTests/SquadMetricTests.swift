import Evaluation
import Testing

@Suite struct SquadMetricTests {
    @Test func normalisationAsTheOfficialScript() {
        #expect(SquadMetric.normalize("The Denver Broncos!") == "denver broncos")
        #expect(SquadMetric.normalize("  a  cat's\t\nhat. ") == "cats hat")
        // Articles only as whole words: not inside "and", "Anderson", "theme" or "a1".
        #expect(SquadMetric.normalize("Anderson and the theme, a1") == "anderson and theme a1")
        // Punctuation goes first, so joined words stay joined ("the_end" is one word after "_" is removed too).
        #expect(SquadMetric.normalize("the-end the_end (the) end") == "theend theend end")
        // Only ASCII punctuation is removed; non-ASCII letters are word characters, and "—" separates words.
        #expect(SquadMetric.normalize("Thé Café — «An» ¿the?") == "thé café — « » ¿")
        #expect(SquadMetric.normalize("A AN The") == "")
    }

    @Test func exactMatchAndF1AgainstTheBestReference() {
        #expect(SquadMetric.exactMatch("the Broncos", references: ["Denver Broncos", "Broncos."]) == 1)
        #expect(SquadMetric.exactMatch("Denver", references: ["Denver Broncos"]) == 0)
        // 1 common token of 3 predicted and 1 referenced: P 1/3, R 1, F1 = 2 * (1/3) / (4/3) = 0.5.
        #expect(SquadMetric.f1("Denver Broncos team", references: ["Broncos"]) == 0.5)
        // Common tokens are counted as a multiset: cat (min 2, 1) + dog (min 1, 2) = 2 of 3 each side.
        #expect(abs(SquadMetric.f1("cat cat dog", references: ["cat dog dog"]) - 2.0 / 3) < 1e-12)
        #expect(SquadMetric.f1("Denver Broncos team", references: ["Broncos", "the Denver Broncos"]) == 0.8)
        #expect(SquadMetric.f1("Carolina", references: ["Denver Broncos"]) == 0)
        // An answer that normalises to nothing agrees only with another such answer (the v2.0 rule).
        #expect(SquadMetric.f1("the", references: [""]) == 1)
        #expect(SquadMetric.f1("", references: ["Broncos"]) == 0)
    }

    @Test func scoresArePercentages() {
        let scores = SquadMetric.scores(
            predictions: ["Denver Broncos", "Denver Broncos team", ""], references: [["denver broncos"], ["Broncos", "Denver Broncos"], []])
        // EM: 1, 0, 1 (no answer, empty prediction); F1: 1, 0.8, 1.
        #expect(abs(scores.exactMatch - 200.0 / 3) < 1e-9)
        #expect(abs(scores.f1 - 280.0 / 3) < 1e-9)
        #expect(scores.count == 3)
    }
}
