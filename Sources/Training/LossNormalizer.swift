import Datasets

/// What a loss is a mean over (rows, real tokens, masked tokens), counted in any batch.
///
/// A data-parallel run needs it: each process takes the mean over its share of the global batch, and scales it by
/// its share of the global count, so that the sum over the processes is the mean over the global batch, exactly as
/// one process would take it. Weighting by rows instead would be exact only for means over rows.
public struct LossNormalizer: Sendable {
    /// How many things of `batch` the mean is taken over.
    public let count: @Sendable (Batch) -> Int

    public init(count: @escaping @Sendable (Batch) -> Int) {
        self.count = count
    }

    /// A mean over the rows (sequences) of the batch: classification, regression, span and soft-target losses.
    public static let rows = LossNormalizer { $0.batchSize }
    /// A mean over the rows that have a label (class index or value): supervised losses on data mixed with
    /// unlabelled rows.
    public static let labelledRows = LossNormalizer { batch in
        if let classes = batch.labels(as: ClassLabels.self) { return classes.classIndices.count { $0 != ClassLabels.missing } }
        return batch.labels(as: RegressionTargets.self)?.values.count { !$0.isNaN } ?? 0
    }
    /// A mean over the real (unpadded) tokens: the positions where the attention mask is 1.
    public static let realTokens = LossNormalizer { batch in batch.attentionMask.count { $0 != 0 } }
    /// A mean over the tokens that have a label (``TokenLabels``; the masked tokens of masked-LM batches).
    public static let maskedTokens = LossNormalizer { batch in
        batch.labels(as: TokenLabels.self)?.ids.count { $0 != TokenLabels.ignored } ?? 0
    }

    /// The weight of the mean over `share`'s part of `global` in the mean over `global`: its part of the count
    /// (1 when the share is the whole batch, or when neither holds anything to average).
    func weight(of share: Batch, in global: Batch) -> Float {
        let (part, whole) = (count(share), count(global))
        return part == whole ? 1 : Float(part) / Float(whole)
    }
}
