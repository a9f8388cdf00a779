import Models
import Tensors
import Training

/// DistilBERT's triple loss (Sanh et al. 2019, "DistilBERT, a distilled version of BERT"; Hugging Face's
/// `examples/research_projects/distillation`): α_ce · T² · KL(softmax(z_t/T) ‖ softmax(z_s/T)) over the vocabulary,
/// averaged over the real tokens (``SoftTargetKL`` named `ce`; `restrict_ce_to_mask` off, as by default)
/// + α_mlm · the student's masked-LM cross-entropy (``MaskedTokenCrossEntropy``, `mlm`)
/// + α_cos · the mean over real tokens of 1 − cos between the last hidden states (``HiddenStateCosine``, `cosine`).
/// Terms with weight 0 are left out. The defaults are the release's training command (`--alpha_ce 5.0
/// --alpha_mlm 2.0 --alpha_cos 1.0 --temperature 2.0`).
public struct DistilBERTObjective: GeneralObjective {
    public var temperature: Float = 2
    public var ceWeight: Float = 5
    public var mlmWeight: Float = 2
    public var cosineWeight: Float = 1

    public init() {}

    public var name: String { "distilbert" }
    public var usesMaskedLanguageModel: Bool { true }

    public func validate() throws(GeneralDistillationError) {
        guard temperature > 0 && temperature.isFinite else { throw .invalidSetting(.temperature, "must be a positive number") }
        for (setting, weight) in [(GeneralDistillationSetting.ceWeight, ceWeight), (.mlmWeight, mlmWeight), (.cosineWeight, cosineWeight)]
        where !(weight >= 0 && weight.isFinite) {
            throw .invalidSetting(setting, "must not be negative")
        }
        guard ceWeight + mlmWeight + cosineWeight > 0 else { throw .invalidSetting(.ceWeight, "and the other weights are all 0") }
    }

    public func objective(student: any DistillableModel, teacher: any DistillableModel, generator: RandomGenerator)
        throws(TaskDistillationError) -> DistillationObjective
    {
        let terms: [DistillationObjective.WeightedTerm] = [
            // The student's vocabulary logits are those of the real tokens (``GeneralDistillationModel``).
            .init(ceWeight, SoftTargetKL(name: "ce", temperature: temperature, averagedOver: .realTokens)),
            .init(mlmWeight, MaskedTokenCrossEntropy()),
            .init(cosineWeight, HiddenStateCosine(lastLayersOf: student.config, teacher.config)),
        ]
        return DistillationObjective(terms.filter { $0.weight > 0 })
    }

    /// Hugging Face's `train.py` defaults: lr 5e-4, warm-up 5% (`warmup_prop`), Adam β 0.9/0.98 and ε 1e-6 (set in
    /// `distiller.py`), gradient clipping 5.0, weight decay 0, sequences of at most 512 tokens
    /// (`max_model_input_size`).
    public func applyRecipe(to configuration: inout TrainingConfiguration) {
        configuration.learningRate = 5e-4
        configuration.warmupRatio = 0.05
        configuration.adamBeta2 = 0.98
        configuration.adamEpsilon = 1e-6
        configuration.maxGradNorm = 5
        configuration.weightDecay = 0
        configuration.maxLength = 512
    }
}
