import Augmentation
import Foundation
import Testing
import TestSupport
import Tokenizers

@Suite struct VariantTests {
    private static func augmenter(in directory: URL, p: Double = 1, seed: UInt64 = 42) throws -> DataAugmenter {
        try TinyTeacher.save(to: directory)
        var settings = AugmentationSettings()
        settings.replacementProbability = p
        settings.seed = seed
        return try DataAugmenter(teacher: MaskedLanguageTeacher(directory: directory), settings: settings)
    }

    /// Replacing one word keeps the rest of the text byte for byte (odd spacing, case, punctuation) and gives the
    /// replacement the replaced word's case.
    @Test func replacementKeepsTheRestVerbatim() throws {
        let sentence = TokenizedSentence("The  Movie,was GOOD!", tokenizer: try TinyTeacher.tokenizer())
        #expect(sentence.words.map(\.normalized) == ["the", "movie", ",", "was", "good", "!"])
        #expect(sentence.replacing([1: "film", 4: "bad"]) == "The  Film,was BAD!")
        #expect(sentence.replacing([:]) == "The  Movie,was GOOD!")
    }

    /// With p = 1 every content word changes in every variant, and the stop words and punctuation never do.
    @Test func stopWordsAndPunctuationNeverChange() throws {
        try withScratchDirectory { directory in
            let augmenter = try Self.augmenter(in: directory)
            let text = "the movie was good , fun !"
            let variants = augmenter.variants(of: augmenter.candidates(for: [text]).candidates[0], row: 2)
            #expect(!variants.isEmpty)
            for variant in variants {
                let words = variant.split(separator: " ")
                #expect(words.count == 7)
                for index in [0, 2, 4, 6] { #expect(words[index] == text.split(separator: " ")[index], "\(variant)") }
                for index in [1, 3, 5] { #expect(words[index] != text.split(separator: " ")[index], "\(variant)") }
            }
            #expect(Set(variants).count == variants.count)
        }
    }

    @Test func zeroProbabilityGivesNoVariants() throws {
        try withScratchDirectory { directory in
            let augmenter = try Self.augmenter(in: directory, p: 0)
            let candidates = augmenter.candidates(for: ["the movie was good , fun !"]).candidates[0]
            #expect(augmenter.variants(of: candidates, row: 2).isEmpty)
        }
    }

    /// The same seed draws the same variants (whatever other rows are augmented with them); another seed others.
    @Test func variantsAreAFunctionOfTheSeed() throws {
        try withScratchDirectory { directory in
            let texts = ["the movie was good , fun !", "great acting and a dull plot", "awful story , bad cast"]
            func variants(seed: UInt64, texts: [String]) throws -> [[String]] {
                let augmenter = try Self.augmenter(in: directory, p: 0.4, seed: seed)
                return augmenter.candidates(for: texts).candidates.enumerated().map {
                    augmenter.variants(of: $0.element, row: $0.offset + 2)
                }
            }
            let first = try variants(seed: 1, texts: texts)
            #expect(first.allSatisfy { !$0.isEmpty })
            #expect(try variants(seed: 1, texts: texts) == first)
            #expect(try variants(seed: 2, texts: texts) != first)
            #expect(try variants(seed: 1, texts: Array(texts.prefix(1))) == Array(first.prefix(1)))
        }
    }

    @Test func teacherWithoutHeadIsRefused() throws {
        try withScratchDirectory { directory in
            try TinyTeacher.save(to: directory, withHead: false)
            #expect {
                try MaskedLanguageTeacher(directory: directory)
            } throws: { error in
                guard case .teacherHasNoMaskedLanguageModelHead(let path, let missing) = error as? AugmentationError
                else { return false }
                return path == directory.path && missing.contains { $0.hasPrefix("cls.predictions") }
            }
        }
    }

    @Test func teacherWithFewerEmbeddingsThanTokensIsRefused() throws {
        try withScratchDirectory { directory in
            try TinyTeacher.save(to: directory, vocabularySize: TinyTeacher.vocabulary.count - 2)
            #expect(throws: AugmentationError.vocabularyMismatch(
                directory: directory.path, tokenizer: TinyTeacher.vocabulary.count,
                model: TinyTeacher.vocabulary.count - 2)) {
                try MaskedLanguageTeacher(directory: directory)
            }
        }
    }

    @Test func settingsOutOfRangeAreRefused() throws {
        var settings = AugmentationSettings()
        settings.replacementProbability = 1.5
        #expect(throws: AugmentationError.invalidSetting(.replacementProbability, "must be in [0, 1]")) {
            try settings.validate()
        }
    }
}
