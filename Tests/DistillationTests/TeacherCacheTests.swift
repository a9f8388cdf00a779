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
        #expect(logits.shapes == [.perExample([3])] && logits.exampleIndices == Array(0..<7))
        #expect(teacher.isTraining, "the teacher's mode is restored")
        teacher.setTraining(false)
        for example in examples {
            let single = withoutGrad {
                teacher(EncoderInput(ids: example.ids, batchSize: 1, sequenceLength: example.length)).logits
            }
            #expect(maxAbsDifference(try logits.outputs(forExamples: [example.index], sequenceLength: example.length)[0], single) <= 1e-5)
        }
        #expect(throws: TeacherLogitsError.unknownExample(99)) { try logits.outputs(forExamples: [1, 99], sequenceLength: 16) }
    }

    @Test func questionAnsweringTeacherCachesStartAndEndOverRealTokens() throws {
        let qaURL = directory.path("qa-teacher")
        let qaTeacher = try Fixtures.saveTeacher(QuestionAnswering.self, Fixtures.tinyConfig(labels: 2), to: qaURL)
        let logits = try TeacherLogits.compute(teacher: qaTeacher, examples: examples, batchSize: 3, padId: 0)
        #expect(logits.shapes == [.perToken([]), .perToken([])])
        let tokens = examples.map(\.length).reduce(0, +)
        #expect(logits.outputs.map(\.values.count) == [tokens, tokens], "one row per real token, no padding stored")
        qaTeacher.setTraining(false)
        for example in examples {
            let single = withoutGrad { qaTeacher(EncoderInput(ids: example.ids, batchSize: 1, sequenceLength: example.length)) }
            let cached = try logits.outputs(forExamples: [example.index], sequenceLength: example.length)
            #expect(maxAbsDifference(cached[0], single.start) <= 1e-5 && maxAbsDifference(cached[1], single.end) <= 1e-5)
        }

        // A batch pads each row to the batch's length with the padding logit.
        let byLength = examples.sorted { $0.length < $1.length }
        let (short, long) = (byLength[0], byLength[byLength.count - 1])
        try #require(short.length < long.length)
        let batch = try logits.outputs(forExamples: [short.index, long.index], sequenceLength: long.length)
        #expect(batch.map(\.shape) == [[2, long.length], [2, long.length]])
        #expect(batch[1].scalars[short.length..<long.length].allSatisfy { $0 == TeacherLogits.paddingLogit })
        #expect(throws: TeacherLogitsError.longerThanBatch(example: long.index, length: long.length, sequenceLength: short.length)) {
            try logits.outputs(forExamples: [long.index], sequenceLength: short.length)
        }

        // Stored and read back as they were; refused once the teacher changes.
        let cache = TeacherCache(directory: directory.path("qa-cache"))
        let key = try TeacherCacheKey(teacherDirectory: qaURL, dataFile: dataURL, maxLength: 16, examples: examples)
        #expect(try cache.logits(for: key, examples: examples) { logits }.outcome == .computed(reason: "no cache yet"))
        #expect(cache.lookup(key, exampleIndices: examples.map(\.index)) == .success(logits))
        try Fixtures.saveTeacher(QuestionAnswering.self, Fixtures.tinyConfig(labels: 2), seed: 8, to: qaURL)
        let retrained = try TeacherCacheKey(teacherDirectory: qaURL, dataFile: dataURL, maxLength: 16, examples: examples)
        #expect(cache.lookup(retrained, exampleIndices: examples.map(\.index)) == .failure(CacheMiss("teacher weights changed")))
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
