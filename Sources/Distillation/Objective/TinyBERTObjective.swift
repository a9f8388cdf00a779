import Models
import Tensors
import Training

/// TinyBERT's general distillation (Jiao et al. 2020, "TinyBERT: Distilling BERT for Natural Language
/// Understanding", §3.1 and §4.2): Σ over student layers of the MSE between pre-softmax attention scores, padded
/// entries zeroed in both (``AttentionScoreMSE``, `attention`), + Σ over the embedding output and the student
/// layers of the MSE between hidden states through a learned projection when the widths differ
/// (``HiddenStateMSE``, `hidden_mse`). With M student and N teacher layers and k = N / M, student layer i (from 0)
/// learns from teacher layer (i + 1)k − 1 (rounded down), so its output h_{i+1} from the teacher's h_{(i+1)k}, and
/// the embedding output from the teacher's. Needs no masked-LM head, and equal head counts.
public struct TinyBERTObjective: GeneralObjective {
    /// The teacher layer of each student layer; `nil`: the uniform map above.
    public var layerMap: [Int]?
    public var attentionWeight: Float = 1
    public var hiddenWeight: Float = 1

    public init(layerMap: [Int]? = nil) { self.layerMap = layerMap }

    public var name: String { "tinybert" }
    public var usesMaskedLanguageModel: Bool { false }

    /// TinyBERT's uniform map: teacher layer ⌊(i + 1)N / M⌋ − 1 for student layer i.
    public static func uniformLayerMap(studentLayers m: Int, teacherLayers n: Int) -> [Int] {
        (0..<m).map { max((($0 + 1) * n) / m - 1, 0) }
    }

    public func validate() throws(GeneralDistillationError) {
        for (setting, weight) in [(GeneralDistillationSetting.attentionWeight, attentionWeight), (.hiddenWeight, hiddenWeight)]
        where !(weight >= 0 && weight.isFinite) {
            throw .invalidSetting(setting, "must not be negative")
        }
        guard attentionWeight + hiddenWeight > 0 else { throw .invalidSetting(.attentionWeight, "and the hidden-state weight are both 0") }
    }

    public func objective(student: any DistillableModel, teacher: any DistillableModel, generator: RandomGenerator)
        throws(TaskDistillationError) -> DistillationObjective
    {
        let (s, t) = (student.config, teacher.config)
        let map = layerMap ?? Self.uniformLayerMap(studentLayers: s.layerCount, teacherLayers: t.layerCount)
        try LayerMapping.check(map, source: layerMap == nil ? .term(name) : .requested, student: s, teacher: t)
        let terms: [DistillationObjective.WeightedTerm] = [
            .init(attentionWeight, AttentionScoreMSE(teacherLayers: map)),
            .init(hiddenWeight, HiddenStateMSE(teacherLayers: map, includingEmbeddings: true, student: s, teacher: t, generator: generator)),
        ]
        return DistillationObjective(terms.filter { $0.weight > 0 })
    }

    /// TinyBERT's general distillation uses sequences of at most 128 tokens and keeps "the other hyper-parameters the
    /// same as BERT pre-training" (Devlin et al. 2019, App. A.2): lr 1e-4, warm-up 1% (10,000 of 1M steps), Adam β
    /// 0.9/0.999, weight decay 0.01; BERT's optimizer (and TinyBERT's `BertAdam`) add ε 1e-6 and clipping at 1.0.
    /// The released `general_distill.py` defaults to lr 5e-5 and 10% warm-up instead.
    public func applyRecipe(to configuration: inout TrainingConfiguration) {
        configuration.adamEpsilon = 1e-6
        configuration.learningRate = 1e-4
        configuration.warmupRatio = 0.01
        configuration.weightDecay = 0.01
        configuration.maxGradNorm = 1
        configuration.maxLength = 128
    }
}
