import Datasets

/// `--task squad`: the commands' question-answering path (SQuAD JSON files, `ForQuestionAnswering` models).
enum SquadTask {
    static let name = "squad"

    /// Whether a `--task` value asks for SQuAD.
    static func isRequested(_ task: String?) -> Bool { task?.lowercased() == name }

    /// What the help of a training command says about the path.
    static let trainingHelp = """
        --task squad trains a question-answering model (BertForQuestionAnswering or \
        DistilBertForQuestionAnswering) on SQuAD v1.1 (or v2.0) JSON files instead: each question is cut into \
        windows of --max-length tokens (default \(SquadFeaturizer.defaultMaxLength), the notebook's) sharing a third \
        of them (128), the best dev model by F1 is kept.
        """
}
