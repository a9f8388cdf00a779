import Models
import Tensors

extension DistillationObjective {
    /// SQuAD task distillation (DistilBERT's): α · T² (KL_start + KL_end) / 2 (``SoftTargetKL``, `kd`)
    /// + (1 − α) · (CE_start + CE_end) / 2 (``SpanLabelLoss``, `hard`), KL over the start and end distributions of
    /// each row (batch mean). DistilBERT used T = 2, α = 0.5.
    public static func questionAnswering(temperature: Float = 2, alpha: Float = 0.5) -> DistillationObjective {
        DistillationObjective([WeightedTerm(alpha, SoftTargetKL(temperature: temperature)), WeightedTerm(1 - alpha, SpanLabelLoss())])
    }

    /// SQuAD task distillation with `settings`' temperature and α, plus the terms their other weights ask for
    /// (``TaskDistillationSettings/extraTerms(layerMap:student:teacher:generator:)``).
    public static func questionAnswering(
        _ settings: TaskDistillationSettings, layerMap: [Int] = [], student: ModelConfig, teacher: ModelConfig,
        generator: RandomGenerator
    ) -> DistillationObjective {
        DistillationObjective(
            questionAnswering(temperature: settings.temperature, alpha: settings.alpha).terms
                + settings.extraTerms(layerMap: layerMap, student: student, teacher: teacher, generator: generator))
    }
}
