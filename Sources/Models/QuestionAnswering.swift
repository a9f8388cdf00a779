import NN
import Tensors

/// `BertForQuestionAnswering` / `DistilBertForQuestionAnswering`: per-token start and end logits from
/// `qa_outputs` (a `[2, hidden]` projection) over the encoder's last hidden state.
public final class QuestionAnswering: Module {
    public let encoder: TransformerEncoder
    public let outputs: Linear
    let dropout: Dropout

    public init(config: ModelConfig, generator: RandomGenerator) {
        // transformers sizes `qa_outputs` by the label count (and DistilBERT refuses any count but 2), so the
        // saved config must say two labels whatever the config this head was made from said.
        var config = config
        if config.id2label.count != 2 { config.id2label = ModelConfig.defaultLabels }
        encoder = config.makeEncoder(withPooler: false, generator: generator)
        outputs = Linear(inputSize: config.hiddenSize, outputSize: 2, std: Float(config.initializerRange), generator: generator)
        // BERT applies no dropout here; DistilBERT applies `qa_dropout`.
        dropout = Dropout(probability: Float(config.modelType.family.questionAnsweringDropout(config)), generator: generator)
    }

    public var config: ModelConfig { encoder.config }

    public override var children: [(name: String, module: Module)] {
        [(config.modelType.basePrefix, encoder), ("qa_outputs", outputs), ("", dropout)]
    }

    /// Start and end logits, each `[batch, seq]`, and the encoder's outputs.
    public func callAsFunction(_ input: EncoderInput, options: EncoderOutputOptions = EncoderOutputOptions())
        -> (start: Tensor, end: Tensor, encoder: EncoderOutput)
    {
        let output = encoder(input, options: options)
        let logits = outputs(dropout(output.lastHidden))
        let parts = logits.split(axis: 2, sizes: [1, 1])
        let shape = [input.batchSize, input.sequenceLength]
        return (parts[0].reshaped(shape), parts[1].reshaped(shape), output)
    }
}
