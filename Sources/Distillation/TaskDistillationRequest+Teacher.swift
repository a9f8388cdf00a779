import Datasets
import Foundation
import Models
import Tokenizers

extension TaskDistillationRequest {
    /// Checks the settings and the inference batch size, naming the setting at fault.
    func validate() throws(TaskDistillationError) {
        try settings.validate()
        guard inferenceBatchSize > 0 else { throw .invalidSetting(.inferenceBatchSize, "must be at least 1") }
    }

    /// The student directory's tokenizer if it has tokenizer files, else `teacherTokenizer`.
    func tokenizer(orTeacher teacherTokenizer: @autoclosure () throws -> BertTokenizer) throws -> BertTokenizer {
        let studentHasTokenizer = StudentInitialization.tokenizerFileNames.contains {
            FileManager.default.fileExists(atPath: studentDirectory.appendingPathComponent($0).path)
        }
        return studentHasTokenizer ? try BertTokenizer(directory: studentDirectory) : try teacherTokenizer()
    }

    /// Checks that both models take `training.maxLength` tokens and every id of `tokenizer`.
    func checkFit(of models: [ModelConfig], tokenizer: BertTokenizer) throws(TaskDistillationError) {
        for config in models {
            guard training.maxLength <= config.maxPositions else {
                throw .sequencesTooLong(maxLength: training.maxLength, positions: config.maxPositions)
            }
            guard tokenizer.vocabularySize <= config.vocabSize else {
                throw .incompatible("the tokenizer has \(tokenizer.vocabularySize) ids but a model's vocab_size is \(config.vocabSize)")
            }
        }
    }

    /// The teacher layer of each student layer for the objective's layer-wise terms (empty when it has none); see
    /// ``TaskObjective/layerMap(requested:settings:student:teacher:studentConfigPath:)``.
    func teacherLayerMap(student: ModelConfig, teacher: ModelConfig) throws(TaskDistillationError) -> [Int] {
        try objective.layerMap(
            requested: layerMap, settings: settings, student: student, teacher: teacher,
            studentConfigPath: studentDirectory.appendingPathComponent("config.json").path)
    }

    /// The teacher's logits on the training `examples` (`unit` names them in `log`), from the ``TeacherCache`` or
    /// computed and stored there; `nil` when the cache is off or the loss needs the teacher's hidden states.
    func cachedTeacherLogits(
        teacher: any DistillableModel, examples: [TokenizedExample], padId: Int32, unit: String, log: (String) -> Void
    ) throws -> (logits: TeacherLogits, outcome: TeacherCacheOutcome)? {
        guard useTeacherCache && !objective.usesEncoderOutputs(settings) else { return nil }
        let cache = TeacherCache(directory: cacheDirectory ?? outputDirectory.appendingPathComponent(TeacherCache.directoryName))
        let key = try TeacherCacheKey(
            teacherDirectory: teacherDirectory, dataFile: URL(fileURLWithPath: trainPath), maxLength: training.maxLength,
            examples: examples)
        let (logits, outcome) = try cache.logits(for: key, examples: examples) {
            log("running the teacher over \(examples.count) training \(unit) (once; cached in \(cache.directory.path))")
            return try TeacherLogits.compute(teacher: teacher, examples: examples, batchSize: inferenceBatchSize, padId: padId)
        }
        log(outcome.description)
        return (logits, outcome)
    }
}
