import Datasets
import Evaluation
import Models

extension PlannedBatches {
    /// SQuAD windows batched with their answer positions (``SpanCollator``), `configuration.batchSize` at a time in
    /// its order (length-grouped or shuffled) and seed.
    public convenience init(windows: [SquadFeature], configuration: TrainingConfiguration, padId: Int32) throws {
        let batcher = try Batcher(
            examples: windows.map(\.tokens), batchSize: configuration.batchSize * ProcessGroups.world.size, maxLength: configuration.maxLength,
            collator: SpanCollator(features: windows, padId: padId))
        self.init(batcher: batcher, order: configuration.groupByLength ? .groupedByLength() : .shuffled, seed: configuration.seed)
    }
}

extension Trainer.Evaluation {
    /// `model`'s exact match and F1 on `evaluator`'s dev set, the best model picked by F1.
    public init(_ evaluator: SquadEvaluator, model: QuestionAnswering) {
        self.init(metricForBestModel: SquadScores.f1Name) { try evaluator.evaluate(model).values }
    }
}
