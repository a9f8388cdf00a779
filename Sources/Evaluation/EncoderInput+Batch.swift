import Datasets
import Models

extension EncoderInput {
    /// The model input of a padded batch: its ids, token type ids and attention mask.
    public init(_ batch: Batch) {
        self.init(
            ids: batch.ids, typeIds: batch.typeIds, attentionMask: batch.attentionMask, batchSize: batch.batchSize,
            sequenceLength: batch.sequenceLength)
    }
}
