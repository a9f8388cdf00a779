import Datasets
import Dispatch
import Models
import NN
import Tensors

/// Inference speed of a sequence classifier on already tokenized examples (tokenization is not timed), in
/// evaluation mode without gradients.
public enum InferenceSpeed {
    /// One timing of a model: its batch-1 latency and its batched throughput.
    public struct Round: Sendable, Equatable, Codable {
        public var latency: Latency
        public var throughput: Throughput

        public init(latency: Latency, throughput: Throughput) {
            (self.latency, self.throughput) = (latency, throughput)
        }

        /// The median over `rounds` (at least one) of each figure: the latency's median and 90th percentile, and
        /// the examples and tokens per second.
        static func median(of rounds: [Round]) -> (Latency, Throughput) {
            func middle(_ value: (Round) -> Double) -> Double { InferenceSpeed.median(rounds.map(value).sorted()) }
            var (latency, throughput) = (rounds[0].latency, rounds[0].throughput)
            latency.medianMilliseconds = middle(\.latency.medianMilliseconds)
            latency.p90Milliseconds = middle(\.latency.p90Milliseconds)
            throughput.examplesPerSecond = middle(\.throughput.examplesPerSecond)
            throughput.tokensPerSecond = middle(\.throughput.tokensPerSecond)
            return (latency, throughput)
        }
    }

    /// Per-example latency at batch size 1.
    public struct Latency: Sendable, Equatable, Codable {
        /// The median over the timed examples, in milliseconds.
        public var medianMilliseconds: Double
        /// The 90th percentile (nearest rank), in milliseconds.
        public var p90Milliseconds: Double
        /// How many examples were timed.
        public var examples: Int

        enum CodingKeys: String, CodingKey {
            case medianMilliseconds = "median_ms"
            case p90Milliseconds = "p90_ms"
            case examples
        }
    }

    /// Throughput over a whole dataset in batches.
    public struct Throughput: Sendable, Equatable, Codable {
        public var batchSize: Int
        public var examplesPerSecond: Double
        /// Real (non-padding) tokens per second.
        public var tokensPerSecond: Double
        public var examples: Int

        enum CodingKeys: String, CodingKey {
            case batchSize = "batch_size"
            case examplesPerSecond = "examples_per_s"
            case tokensPerSecond = "tokens_per_s"
            case examples
        }
    }

    /// Times a forward pass over each of the first `limit` examples alone (batch size 1, so no padding), after
    /// one untimed warm-up pass.
    public static func latency(of model: SequenceClassifier, examples: [TokenizedExample], padId: Int32, limit: Int)
        throws -> Latency
    {
        let timed = Array(examples.prefix(max(limit, 1)))
        guard !timed.isEmpty else { throw EvaluationError.noExamples }
        let batcher = try Batcher(examples: timed, batchSize: 1, padId: padId, maxLength: timed.map(\.length).max() ?? 1)
        let wasTraining = model.isTraining
        model.setTraining(false)
        defer { model.setTraining(wasTraining) }
        let inputs = timed.indices.map { EncoderInput(batcher.batch(positions: [$0])) }
        func forward(_ input: EncoderInput) { _ = withoutGrad { model(input).logits } }
        forward(inputs[0])
        return Latency(milliseconds: inputs.map { input in
            let start = DispatchTime.now().uptimeNanoseconds
            forward(input)
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        })
    }

    /// Runs `model` over every example of `batcher` once, timing the pass (after one untimed warm-up batch), and
    /// returns the speed together with the outputs, so that one pass gives both the scores and the throughput.
    public static func throughput(of model: SequenceClassifier, batcher: Batcher) throws
        -> (throughput: Throughput, outputs: ClassifierOutputs)
    {
        guard !batcher.examples.isEmpty else { throw EvaluationError.noExamples }
        let warmUp = try Batcher(
            examples: Array(batcher.examples.prefix(batcher.batchSize)), batchSize: batcher.batchSize,
            maxLength: batcher.maxLength, collator: batcher.collator)
        _ = ClassifierInference.run(model, on: warmUp)
        var tokens = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let outputs = ClassifierInference.run(model, on: batcher) { tokens += $0.tokenCount }
        let seconds = max(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, 1e-9)
        let throughput = Throughput(
            batchSize: batcher.batchSize, examplesPerSecond: Double(outputs.count) / seconds,
            tokensPerSecond: Double(tokens) / seconds, examples: outputs.count)
        return (throughput, outputs)
    }

    /// The middle value of sorted `values` (the mean of the two middle ones for an even count).
    static func median(_ sorted: [Double]) -> Double {
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

extension InferenceSpeed.Latency {
    /// The median and 90th percentile (nearest rank) of `milliseconds` (at least one time, in any order).
    init(milliseconds: [Double]) {
        let sorted = milliseconds.sorted()
        let p90Rank = Int((0.9 * Double(sorted.count)).rounded(.up)) - 1
        self.init(medianMilliseconds: InferenceSpeed.median(sorted), p90Milliseconds: sorted[max(p90Rank, 0)], examples: sorted.count)
    }
}
