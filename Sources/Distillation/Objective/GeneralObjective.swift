import Models
import Tensors
import Training

/// A general-distillation objective (distillation on unlabelled text, before any task): which models it compares,
/// its terms, and the training recipe it was published with. Each preset is a type of its own
/// (``DistilBERTObjective``, ``TinyBERTObjective``, ``MiniLMv2Objective``).
public protocol GeneralObjective: Sendable {
    /// Its name (`distilbert`, ...).
    var name: String { get }
    /// Whether it compares the two models' masked-LM predictions: then both are masked-language models (the
    /// teacher's head trained, the student exported as `…ForMaskedLM`) and the input is masked; otherwise both are
    /// encoders, the input is left as it is and the student is exported as a base model (`BertModel`).
    var usesMaskedLanguageModel: Bool { get }
    /// Checks its settings, naming the one at fault.
    func validate() throws(GeneralDistillationError)
    /// Its terms for these two models (learned projections drawn from `generator`).
    func objective(student: any DistillableModel, teacher: any DistillableModel, generator: RandomGenerator)
        throws(TaskDistillationError) -> DistillationObjective
    /// Sets the published optimisation settings (learning rate, warm-up, Adam, clipping, weight decay).
    func applyRecipe(to configuration: inout TrainingConfiguration)
}
