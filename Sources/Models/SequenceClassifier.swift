import NN
import Tensors

/// `BertForSequenceClassification` / `DistilBertForSequenceClassification`: an encoder and a classification head.
///
/// A family with a pooler (BERT) classifies the pooled [CLS] vector: dropout → `classifier`. One without
/// (DistilBERT): h[CLS] → `pre_classifier` → ReLU → dropout → `classifier`. With one label the head is a regressor.
public final class SequenceClassifier: Module {
    public let encoder: TransformerEncoder
    public let preClassifier: Linear?
    public let classifier: Linear
    let dropout: Dropout

    public init(config: ModelConfig, generator: RandomGenerator) {
        // A regressor has one output; transformers sizes the head by the label count, so the config says one label.
        var config = config
        if config.problemType == .regression && config.id2label.count != 1 { config.id2label = [0: "LABEL_0"] }
        encoder = config.makeEncoder(withPooler: true, generator: generator)
        let h = config.hiddenSize, std = Float(config.initializerRange)
        preClassifier = config.modelType.family.usesPreClassifier
            ? Linear(inputSize: h, outputSize: h, std: std, generator: generator) : nil
        classifier = Linear(inputSize: h, outputSize: max(config.labelCount, 1), std: std, generator: generator)
        dropout = Dropout(probability: Float(config.classifierDropout ?? config.hiddenDropout), generator: generator)
    }

    public var config: ModelConfig { encoder.config }

    public override var children: [(name: String, module: Module)] {
        [(config.modelType.basePrefix, encoder)] + (preClassifier.map { [("pre_classifier", $0)] } ?? [])
            + [("classifier", classifier), ("", dropout)]
    }

    /// Logits `[batch, labels]` and the encoder's outputs.
    public func callAsFunction(_ input: EncoderInput, options: EncoderOutputOptions = EncoderOutputOptions())
        -> (logits: Tensor, encoder: EncoderOutput)
    {
        let output = encoder(input, options: options)
        let features: Tensor
        if let preClassifier {
            let h = output.lastHidden
            features = preClassifier(h.slice(axis: 1, 0..<1).reshaped([h.shape[0], h.shape[2]])).relu()
        } else {
            features = output.pooled ?? output.lastHidden.slice(axis: 1, 0..<1).reshaped([input.batchSize, -1])
        }
        return (classifier(dropout(features)), output)
    }
}
