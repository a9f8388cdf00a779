import Datasets
import Distillation
import Foundation
import Models
import Tensors
import TestSupport
import Testing

/// The teacher-logits cache: computed once, reused while nothing changes, rebuilt when the teacher, the data
/// file, the maximum length or the tokenized examples change.
@Suite struct TeacherCacheTests {
    let directory: ScratchDirectory
    let teacher: SequenceClassifier
    let examples: [TokenizedExample]
    var teacherURL: URL { directory.path("teacher") }
    var dataURL: URL { directory.path("train.tsv") }

    init() throws {
        directory = try ScratchDirectory()
        teacher = try Fixtures.saveTeacher(to: directory.path("teacher"))
        try "sentence\tlabel\ngood movie\t1\nbad film\t0\n".write(to: directory.path("train.tsv"), atomically: true, encoding: .utf8)
        let generator = RandomGenerator(seed: 11)
        examples = (0..<7).map { index in
            let length = 3 + generator.below(6)
            let ids = [2] + (0..<(length - 2)).map { _ in Int32(5 + generator.below(55)) } + [3]
            return TokenizedExample(ids: ids, label: .classIndex(index % 3), index: index)
        }
    }

    private func key(maxLength: Int = 16, examples: [TokenizedExample]? = nil) throws -> TeacherCacheKey {
        try TeacherCacheKey(teacherDirectory: teacherURL, dataFile: dataURL, maxLength: maxLength, examples: examples ?? self.examples)
    }

    /// Logits through the cache, counting how often the teacher (loaded from disk) is run.
    private func cached(_ cache: TeacherCache, _ key: TeacherCacheKey, runs: inout Int) throws -> (TeacherLogits, TeacherCacheOutcome) {
        try cache.logits(for: key, examples: examples) {
            runs += 1
            let (model, _) = try SequenceClassifier.load(from: teacherURL)
            return try TeacherLogits.compute(teacher: model, examples: examples, batchSize: 3, padId: 0)
        }
    }

    @Test func computedLogitsEqualOneExampleAtATime() throws {
        let logits = try TeacherLogits.compute(teacher: teacher, examples: examples, batchSize: 3, padId: 0)
        #expect(logits.width == 3 && logits.exampleIndices == Array(0..<7))
        #expect(teacher.isTraining, "the teacher's mode is restored")
        teacher.setTraining(false)
        for example in examples {
            let single = withoutGrad {
                teacher(EncoderInput(ids: example.ids, batchSize: 1, sequenceLength: example.length)).logits
            }
            #expect(maxAbsDifference(try logits.rows(forExamples: [example.index]), single) <= 1e-5)
        }
        #expect(throws: TeacherLogitsError.unknownExample(99)) { try logits.rows(forExamples: [1, 99]) }
    }

    @Test func secondLookupIsAHit() throws {
        let cache = TeacherCache(directory: directory.path("cache"))
        var runs = 0
        let (first, firstOutcome) = try cached(cache, try key(), runs: &runs)
        #expect(firstOutcome == .computed(reason: "no cache yet") && runs == 1)
        let (second, secondOutcome) = try cached(cache, try key(), runs: &runs)
        #expect(secondOutcome == .hit && runs == 1)
        #expect(second == first)
    }

    @Test func changedInputsInvalidateTheCache() throws {
        let cache = TeacherCache(directory: directory.path("cache"))
        var runs = 0
        _ = try cached(cache, try key(), runs: &runs)

        // Same files and examples, another maximum length.
        #expect(try cached(cache, try key(maxLength: 32), runs: &runs).1 == .computed(reason: "max length changed"))
        #expect(try cached(cache, try key(maxLength: 32), runs: &runs).1 == .hit)

        // The data file is edited.
        try "sentence\tlabel\ngood movie\t1\nawful film\t0\n".write(to: dataURL, atomically: true, encoding: .utf8)
        #expect(try cached(cache, try key(maxLength: 32), runs: &runs).1 == .computed(reason: "data file changed"))

        // The teacher is retrained: same size, other weights.
        let before = try cached(cache, try key(maxLength: 32), runs: &runs).0
        try Fixtures.saveTeacher(seed: 8, to: teacherURL)
        let (after, outcome) = try cached(cache, try key(maxLength: 32), runs: &runs)
        #expect(outcome == .computed(reason: "teacher weights changed"))
        #expect(after != before && runs == 4)
    }

    @Test func tokenizationChangeIsDetected() throws {
        let cache = TeacherCache(directory: directory.path("cache"))
        var runs = 0
        _ = try cached(cache, try key(), runs: &runs)
        var retokenized = examples
        retokenized[4].ids[1] = 9
        let changed = try key(examples: retokenized)
        #expect(changed.differences(from: try key()) == ["tokenized examples"])
        #expect(cache.lookup(changed, exampleIndices: Array(0..<7)) == .failure(CacheMiss("tokenized examples changed")))
    }

    @Test func corruptEntryIsAMiss() throws {
        let cache = TeacherCache(directory: directory.path("cache"))
        var runs = 0
        _ = try cached(cache, try key(), runs: &runs)
        try Data("not safetensors".utf8).write(to: directory.path("cache/train.safetensors"))
        let (_, outcome) = try cached(cache, try key(), runs: &runs)
        #expect(outcome == .computed(reason: "unreadable or incomplete train.safetensors") && runs == 2)
    }

    @Test func fingerprintSeesEverySingleByteChange() throws {
        let url = directory.path("bytes.bin")
        var bytes = [UInt8](repeating: 7, count: 1000)
        try Data(bytes).write(to: url)
        let original = try FileFingerprint(contentsOf: url)
        for position in [0, 7, 8, 500, 995, 999] {
            bytes[position] ^= 0x80
            try Data(bytes).write(to: url)
            #expect(try FileFingerprint(contentsOf: url) != original, "byte \(position)")
            bytes[position] ^= 0x80
        }
        try Data(bytes).write(to: url)
        #expect(try FileFingerprint(contentsOf: url) == original)
    }
}
