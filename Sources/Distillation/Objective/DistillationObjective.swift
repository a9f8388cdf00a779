import Models
import NN
import Tensors
import Training

/// A distillation objective: Σ weightᵢ · termᵢ over a list of ``DistillationTerm``s, each term's value logged
/// under its name.
public struct DistillationObjective {
    /// A term and the weight of its value in the sum.
    public struct WeightedTerm {
        public var weight: Float
        public var term: any DistillationTerm

        public init(_ weight: Float, _ term: any DistillationTerm) {
            self.weight = weight
            self.term = term
        }
    }

    /// In the order they are summed.
    public let terms: [WeightedTerm]

    /// `terms` must not be empty and their names must be distinct (each names a column of the training log).
    public init(_ terms: [WeightedTerm]) {
        precondition(!terms.isEmpty, "an objective needs at least one term")
        precondition(Set(terms.map(\.term.name)).count == terms.count, "term names repeat: \(terms.map(\.term.name))")
        self.terms = terms
    }

    /// What the terms need from both encoders.
    public var encoderOutputs: EncoderOutputOptions {
        EncoderOutputOptions(hiddenStates: terms.contains { $0.term.encoderOutputs.hiddenStates },
                             attentions: terms.contains { $0.term.encoderOutputs.attentions })
    }

    /// Whether the teacher must run at every step (a term compares encoder outputs, which are not cached).
    public var needsTeacherEncoder: Bool { encoderOutputs.hiddenStates || encoderOutputs.attentions }

    /// The modules the terms train with the student, for the ``Trainer``'s `modules`.
    public var trainableModules: [(name: String, module: Module)] { terms.flatMap(\.term.trainableModules) }

    /// Checks that every term can compare these two models.
    public func checkPairing(student: ModelConfig, teacher: ModelConfig) throws(TaskDistillationError) {
        for weighted in terms { try weighted.term.checkPairing(student: student, teacher: teacher) }
    }

    /// The weighted sum (each term with its ``DistillationTerm/normalizer``), and each term's (unweighted) value
    /// for the log.
    public func callAsFunction(_ pair: DistillationPair) throws -> TrainingLoss {
        let values = try terms.map { try $0.term.loss(pair) }
        let logged = Dictionary(uniqueKeysWithValues: zip(terms, values).map { ($0.term.name, Double($1.item)) })
        return TrainingLoss(
            terms: zip(terms, values).map { .init($1, weight: $0.weight, averagedOver: $0.term.normalizer) }, logged: logged)
    }
}
