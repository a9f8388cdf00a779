extension DistillationObjective {
    /// SQuAD task distillation (DistilBERT's): α · T² (KL_start + KL_end) / 2 (``SoftTargetKL``, `kd`)
    /// + (1 − α) · (CE_start + CE_end) / 2 (``SpanLabelLoss``, `hard`), KL over the start and end distributions of
    /// each row (batch mean). DistilBERT used T = 2, α = 0.5.
    public static func questionAnswering(temperature: Float = 2, alpha: Float = 0.5) -> DistillationObjective {
        DistillationObjective([WeightedTerm(alpha, SoftTargetKL(temperature: temperature)), WeightedTerm(1 - alpha, SpanLabelLoss())])
    }
}
