import ArgumentParser
import Datasets
import Distillation
import Evaluation
import Foundation
import Models
import NN
import Tensors
import Tokenizers
import Training

/// `distill bench`: the engine's speed on this machine, at the shapes the targets are quoted for.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure oneDNN matmul GFLOP/s and BERT forward/training throughput (MiniLM-L6 shape).",
        discussion: """
            Shapes: matmuls [4096x384]x[384x1152] and [4096x1536]x[1536x384] (in fp32, and as int8 and bf16 linear \
            layers, their per-call input conversion included, with the share of that rate each quantized forward \
            reaches); a 6-layer encoder of hidden 384, \
            12 heads, FFN 1536, vocab 30522 with random weights, forward at batch 32 x seq 128 and batch 1 x seq \
            128, the same forward with the blocks' linear layers quantized to int8 and to bf16 (see distill \
            quantize; skipped with a note on a CPU without VNNI or AVX512-BF16), each also with the two \
            attention products (QK^T, PV) in the other precision than the scheme's (int8: fp32, bf16 in the \
            other row; bf16: bf16, fp32 in the other row), and a training step (forward + \
            backward + AdamW, classification head) at batch 32 x seq 64, also with the linear layers' matmuls \
            in bf16 as --bf16 trains (skipped with a note on a CPU without AVX512-BF16); a general-distillation \
            step (distilbert objective: that encoder with a masked-LM head as teacher, a 3-layer student of the same width, 15% of \
            the tokens masked; teacher forward, student forward + backward + clipping + AdamW) at batch 16 x seq \
            128 (compare scripts/anchor-general-step.py --batch-size 16); then the WordPiece tokenizer's MB/s on \
            one core, one text at a time. Compare with \
            ../shared/bench/pytorch_anchor.py and tokenizer_anchor.py run on the same machine.

            Beside each figure: the peak resident memory of the process while it was measured (Linux's VmHWM, \
            reset before each measurement after idle buffers are handed back; it includes the model and the \
            program itself).

            The tokenizer row needs --tokenizer and --tokenizer-data. Their defaults are relative to the current \
            folder and meant for the project root, where scripts/fetch-teacher puts the quick-start teacher; when \
            either is missing, that row is skipped with a note and the other measurements still run.

            Example (from the project root):
              distill bench --json bench.json
            """)

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @Option(help: "Timed repetitions per measurement (the median is reported).")
    var repeats = 5

    @Option(help: "Model directory whose tokenizer is timed; the default is the quick-start teacher as seen from the project root.")
    var tokenizer = "cache/all-MiniLM-L6-v2"

    @Option(help: "Labelled text file whose sentences are tokenized one at a time; the default is SST-2 train as seen from the project root.")
    var tokenizerData = "../shared/data/sst2/train.tsv"

    func run() throws {
        var results = BenchResults()
        for (m, k, n) in Self.matmulShapes {
            let shape = "\(m)x\(k)x\(n)"
            results.matmulGFLOPS[shape] = results.measuring("matmul_\(shape)") { Self.matmulGFLOPS(m: m, k: k, n: n, repeats: repeats * 4) }
        }
        let config = ModelConfig.miniLMShape
        let generator = RandomGenerator(seed: 0)
        let model = SequenceClassifier(config: config, generator: generator)
        model.setTraining(false)

        let forward32 = results.measuring(.forwardTokensPerSecond) { Self.median(repeats) { Self.forward(model, batch: 32, seq: 128, generator: generator) } }
        results.forwardTokensPerSecond = 32 * 128 / forward32
        results.forwardLatencyMilliseconds = results.measuring(.forwardLatencyMilliseconds) {
            1000 * Self.median(repeats * 4) { Self.forward(model, batch: 1, seq: 128, generator: generator) }
        }
        let flops = Self.encoderFLOPs(config, batch: 32, seq: 128)
        let matmulRate = results.matmulGFLOPS.values.max() ?? 1
        results.forwardMatmulEfficiency = flops / forward32 / 1e9 / matmulRate
        for scheme in QuantizationSchemes.all {
            if let reason = scheme.missingSupport() {
                results.quantizedSkipReasons[scheme.name] = reason
                continue
            }
            let quantized = SequenceClassifier(config: config, generator: RandomGenerator(seed: 0))
            quantized.setTraining(false)
            try quantized.quantize(scheme)
            for (m, k, n) in Self.matmulShapes {
                let shape = "\(m)x\(k)x\(n)"
                results.quantizedMatmulGFLOPS[scheme.name, default: [:]][shape] = try results.measuring("matmul_\(scheme.name)_\(shape)") {
                    try Self.linearGFLOPS(scheme, m: m, k: k, n: n, repeats: repeats * 4)
                }
            }
            let seconds = results.measuring(BenchResults.forwardKey(scheme.name)) {
                Self.median(repeats) { Self.forward(quantized, batch: 32, seq: 128, generator: generator) }
            }
            let latency = results.measuring(BenchResults.latencyKey(scheme.name)) {
                1000 * Self.median(repeats * 4) { Self.forward(quantized, batch: 1, seq: 128, generator: generator) }
            }
            results.setQuantizedForward(scheme: scheme.name, tokensPerSecond: 32 * 128 / seconds, latencyMilliseconds: latency)
            let other = scheme.otherAttentionProductPrecision
            quantized.setAttentionProductPrecision(other)
            let otherAttention = results.measuring("forward_\(scheme.name)_attention_\(other)") {
                Self.median(repeats) { Self.forward(quantized, batch: 32, seq: 128, generator: generator) }
            }
            results.forwardTokensPerSecondOtherAttention[scheme.name] = 32 * 128 / otherAttention
            results.forwardMatmulEfficiencyQuantized[scheme.name] =
                flops / seconds / 1e9 / (results.quantizedMatmulGFLOPS[scheme.name]?.values.max() ?? 1)
        }

        model.setTraining(true)
        let optimizer = AdamW(groups: AdamW.bertGroups(of: model, weightDecay: 0.01), learningRate: 1e-5)
        let step = results.measuring(.trainTokensPerSecond) { Self.median(repeats) { Self.trainStep(model, optimizer, batch: 32, seq: 64, generator: generator) } }
        results.trainTokensPerSecond = 32 * 64 / step
        if let reason = MatmulPrecision.bf16.missingSupport() {
            results.trainBF16SkipReason = reason
        } else {
            model.setMatmulPrecision(.bf16)
            let bf16Step = results.measuring(.trainTokensPerSecondBF16) {
                Self.median(repeats) { Self.trainStep(model, optimizer, batch: 32, seq: 64, generator: generator) }
            }
            model.setMatmulPrecision(.f32)
            results.trainTokensPerSecondBF16 = 32 * 64 / bf16Step
        }
        let generalStep = try results.measuring(.generalDistillTokensPerSecond) { try Self.generalDistillStepSeconds(config, repeats: repeats, generator: generator) }
        results.generalDistillTokensPerSecond = 16 * 128 / generalStep

        if let missing = [tokenizer, tokenizerData].first(where: { !FileManager.default.fileExists(atPath: $0) }) {
            results.tokenizerSkipReason = "\(missing) not found"
            printError("""
                bench: skipping the tokenizer measurement: \(missing) not found in \(FileManager.default.currentDirectoryPath) \
                (run from the project root after scripts/fetch-teacher, or pass --tokenizer and --tokenizer-data)
                """)
        } else {
            let texts = try LabelledTextReader.read(path: tokenizerData).examples.map(\.text)
            let wordPiece = try BertTokenizer(directory: URL(fileURLWithPath: tokenizer))
            let runs = results.measuring(.tokenizerMegabytesPerSecond) { (0..<3).map { _ in wordPiece.measureThroughput(texts: texts) } }
            results.tokenizerMegabytesPerSecond = runs.map(\.megabytesPerSecond).sorted()[1]
        }

        print(results.table(forwardSeconds: forward32, flops: flops))
        if let json {
            try JSONEncoder.pretty.encode(results).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
    }

    /// Seconds of the median of `count` runs after one warm-up run.
    static func median(_ count: Int, _ body: () -> Void) -> Double {
        body()
        let times = (0..<max(count, 1)).map { _ in
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        return times.sorted()[times.count / 2]
    }

    /// The matmul shapes timed: the fused-QKV-sized and FFN-output-sized products of the MiniLM shape at 32 x 128.
    static let matmulShapes = [(4096, 384, 1152), (4096, 1536, 384)]

    /// GFLOP/s of a linear layer quantized with `scheme`, as the forward pass runs it: `x [m, k]` times a
    /// `[n, k]` weight, the per-call input conversion (int8: quantization; bf16: rounding) included.
    static func linearGFLOPS(_ scheme: any QuantizationScheme, m: Int, k: Int, n: Int, repeats: Int) throws -> Double {
        let layer = scheme.quantized(Tensor(shape: [n, k], repeating: 0.25))
        try layer.prepare { $0 }
        let x = Tensor(shape: [m, k], repeating: 0.5)
        let seconds = median(repeats) { _ = withoutGrad { layer.apply(x, bias: nil, gelu: false) } }
        return 2 * Double(m * k * n) / seconds / 1e9
    }

    static func matmulGFLOPS(m: Int, k: Int, n: Int, repeats: Int) -> Double {
        let a = Tensor(shape: [m, k], repeating: 0.5), b = Tensor(shape: [k, n], repeating: 0.25)
        let seconds = median(repeats) { _ = withoutGrad { a.matmul(b) } }
        return 2 * Double(m * k * n) / seconds / 1e9
    }

    static func randomInput(batch: Int, seq: Int, vocab: Int, generator: RandomGenerator) -> EncoderInput {
        EncoderInput(ids: (0..<(batch * seq)).map { _ in Int32(generator.below(vocab)) }, batchSize: batch, sequenceLength: seq)
    }

    static func forward(_ model: SequenceClassifier, batch: Int, seq: Int, generator: RandomGenerator) {
        let input = randomInput(batch: batch, seq: seq, vocab: model.config.vocabSize, generator: generator)
        _ = withoutGrad { model(input).logits }
    }

    static func trainStep(_ model: SequenceClassifier, _ optimizer: AdamW, batch: Int, seq: Int, generator: RandomGenerator) {
        let input = randomInput(batch: batch, seq: seq, vocab: model.config.vocabSize, generator: generator)
        let labels = (0..<batch).map { _ in Int32(generator.below(2)) }
        model.zeroGrad()
        model(input).logits.crossEntropy(targets: labels).backward()
        optimizer.update()
    }

    /// Seconds of one general-distillation update (``GeneralDistiller`` with the distilbert objective) at batch 16 x
    /// seq 128: a `config`-shaped masked-LM teacher, a 3-layer student of the same width, 15% of the tokens labelled.
    static func generalDistillStepSeconds(_ config: ModelConfig, repeats: Int, generator: RandomGenerator) throws -> Double {
        var studentConfig = config
        studentConfig.layerCount = 3
        let teacher = MaskedLanguageModel(config: config, generator: generator)
        let student = MaskedLanguageModel(config: studentConfig, generator: generator)
        let objective = try DistilBERTObjective().objective(student: student, teacher: teacher, generator: generator)
        let distiller = try GeneralDistiller(teacher: teacher, student: student, objective: objective)
        var recipe = TrainingConfiguration()
        DistilBERTObjective().applyRecipe(to: &recipe)
        let optimizer = AdamW(groups: AdamW.bertGroups(of: student, weightDecay: recipe.weightDecay), learningRate: recipe.learningRate,
                              beta2: recipe.adamBeta2, eps: recipe.adamEpsilon)
        let (batch, seq) = (16, 128)
        let input = randomInput(batch: batch, seq: seq, vocab: config.vocabSize, generator: generator)
        let labels = input.ids.map { generator.uniform() < 0.15 ? $0 : TokenLabels.ignored }
        let masked = Batch(batchSize: batch, sequenceLength: seq, ids: input.ids, typeIds: input.typeIds ?? Array(repeating: 0, count: batch * seq), attentionMask: input.attentionMask,
                           labels: TokenLabels(labels), exampleIndices: Array(0..<batch), tokenCount: batch * seq)
        student.setTraining(true)
        var failure: Error?
        let seconds = median(repeats) {
            do {
                student.zeroGrad()
                try distiller.loss(masked).loss.backward()
                _ = clipGradientNorm(student.namedParameters().map(\.tensor), maxNorm: recipe.maxGradNorm ?? .infinity)
                optimizer.update()
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return seconds
    }

    /// Matmul FLOPs of one encoder forward pass: the four projections, the FFN and the two attention products.
    static func encoderFLOPs(_ config: ModelConfig, batch: Int, seq: Int) -> Double {
        let tokens = Double(batch * seq), h = Double(config.hiddenSize), f = Double(config.intermediateSize)
        let perLayer = 2 * tokens * (4 * h * h + 2 * h * f) + 2 * 2 * tokens * Double(seq) * h
        return perLayer * Double(config.layerCount)
    }
}

/// What `distill bench` measures (the JSON keys are part of the interface).
struct BenchResults: Codable {
    var matmulGFLOPS: [String: Double] = [:]
    /// The quantized linear layers' rates by scheme name, then shape.
    var quantizedMatmulGFLOPS: [String: [String: Double]] = [:]
    /// The quantized forward passes' FLOP rate as a fraction of their scheme's best linear-layer rate.
    var forwardMatmulEfficiencyQuantized: [String: Double] = [:]
    var forwardTokensPerSecond = 0.0
    var forwardLatencyMilliseconds = 0.0
    var trainTokensPerSecond = 0.0
    /// The training step with the linear layers' matmuls in bf16 (`--bf16`), or why it was not measured (shown in
    /// the table only).
    var trainTokensPerSecondBF16: Double?
    var trainBF16SkipReason: String?
    var generalDistillTokensPerSecond = 0.0
    var forwardMatmulEfficiency = 0.0
    var forwardTokensPerSecondInt8: Double?
    var forwardLatencyMillisecondsInt8: Double?
    var forwardTokensPerSecondBF16: Double?
    var forwardLatencyMillisecondsBF16: Double?
    /// The quantized forward at batch 32 x seq 128 with the attention products in the precision the scheme does
    /// not use (`otherAttentionProductPrecision`), by scheme name.
    var forwardTokensPerSecondOtherAttention: [String: Double] = [:]
    /// Why a quantized forward was not measured, by scheme name (shown in the table only).
    var quantizedSkipReasons: [String: String] = [:]
    var tokenizerMegabytesPerSecond: Double?
    /// Why the tokenizer was not measured (shown in the table, not written to the JSON).
    var tokenizerSkipReason: String?
    /// Peak resident memory in MB while each figure was measured, by the figure's JSON key (`matmul_<shape>` for the
    /// matmuls); missing where the kernel does not let the peak be reset.
    var peakResidentMegabytes: [String: Double] = [:]

    enum CodingKeys: String, CodingKey {
        case matmulGFLOPS = "matmul_gflops"
        case quantizedMatmulGFLOPS = "quantized_matmul_gflops"
        case forwardMatmulEfficiencyQuantized = "forward_fraction_of_quantized_matmul_rate"
        case forwardTokensPerSecond = "forward_tokens_per_s_b32_s128"
        case forwardLatencyMilliseconds = "forward_latency_ms_b1_s128"
        case trainTokensPerSecond = "train_tokens_per_s_b32_s64"
        case trainTokensPerSecondBF16 = "train_tokens_per_s_b32_s64_bf16"
        case generalDistillTokensPerSecond = "general_distill_tokens_per_s"
        case forwardMatmulEfficiency = "forward_fraction_of_matmul_rate"
        case tokenizerMegabytesPerSecond = "tokenizer_mb_per_s"
        case forwardTokensPerSecondInt8 = "forward_tokens_per_s_b32_s128_int8"
        case forwardLatencyMillisecondsInt8 = "forward_latency_ms_b1_s128_int8"
        case forwardTokensPerSecondBF16 = "forward_tokens_per_s_b32_s128_bf16"
        case forwardLatencyMillisecondsBF16 = "forward_latency_ms_b1_s128_bf16"
        case forwardTokensPerSecondOtherAttention = "forward_tokens_per_s_b32_s128_other_attention_precision"
        case peakResidentMegabytes = "peak_resident_mb"
    }

    /// The keys of quantization scheme `scheme`'s (`int8_dynamic` or `bf16`) forward speed and latency.
    static func forwardKey(_ scheme: String) -> CodingKeys {
        scheme == BF16Quantization().name ? .forwardTokensPerSecondBF16 : .forwardTokensPerSecondInt8
    }
    static func latencyKey(_ scheme: String) -> CodingKeys {
        scheme == BF16Quantization().name ? .forwardLatencyMillisecondsBF16 : .forwardLatencyMillisecondsInt8
    }

    /// Records the quantized forward speeds of scheme `scheme`.
    mutating func setQuantizedForward(scheme: String, tokensPerSecond: Double, latencyMilliseconds: Double) {
        if Self.forwardKey(scheme) == .forwardTokensPerSecondBF16 {
            (forwardTokensPerSecondBF16, forwardLatencyMillisecondsBF16) = (tokensPerSecond, latencyMilliseconds)
        } else {
            (forwardTokensPerSecondInt8, forwardLatencyMillisecondsInt8) = (tokensPerSecond, latencyMilliseconds)
        }
    }

    /// Runs the measurement `body` and records the peak resident memory while it ran under `key`.
    mutating func measuring<Result>(_ key: String, _ body: () throws -> Result) rethrows -> Result {
        let (result, peak) = try ResidentMemory.measuringPeak(body)
        if let peak { peakResidentMegabytes[key] = Double(peak) / 1e6 }
        return result
    }
    mutating func measuring<Result>(_ key: CodingKeys, _ body: () throws -> Result) rethrows -> Result {
        try measuring(key.stringValue, body)
    }

    func table(forwardSeconds: Double, flops: Double) -> String {
        var rows: [(String, String, String?)] = matmulGFLOPS.sorted { $0.key < $1.key }.map {
            ("oneDNN fp32 matmul \($0.key)", String(format: "%.1f GFLOP/s", $0.value), "matmul_\($0.key)")
        }
        rows += [
            ("forward b32 x s128", String(format: "%.0f tokens/s (%.0f ms, %.1f GFLOP)", forwardTokensPerSecond, forwardSeconds * 1000, flops / 1e9),
             CodingKeys.forwardTokensPerSecond.stringValue),
            ("forward b1 x s128 latency", String(format: "%.1f ms", forwardLatencyMilliseconds), CodingKeys.forwardLatencyMilliseconds.stringValue),
        ]
        for (scheme, speeds) in [("int8_dynamic", (forwardTokensPerSecondInt8, forwardLatencyMillisecondsInt8)),
                                 ("bf16", (forwardTokensPerSecondBF16, forwardLatencyMillisecondsBF16))] {
            if let tokens = speeds.0, let latency = speeds.1 {
                rows += (quantizedMatmulGFLOPS[scheme] ?? [:]).sorted { $0.key < $1.key }.map {
                    ("oneDNN \(scheme) linear \($0.key)", String(format: "%.1f GFLOP/s", $0.value), "matmul_\(scheme)_\($0.key)")
                }
                if let share = forwardMatmulEfficiencyQuantized[scheme] {
                    rows.append(("forward share of \(scheme) linear rate", String(format: "%.0f%%", 100 * share), nil))
                }
                rows += [("forward b32 x s128 \(scheme)", String(format: "%.0f tokens/s", tokens), Self.forwardKey(scheme).stringValue),
                         ("forward b1 x s128 latency \(scheme)", String(format: "%.1f ms", latency), Self.latencyKey(scheme).stringValue)]
                if let tokens = forwardTokensPerSecondOtherAttention[scheme],
                   let other = QuantizationSchemes.named(scheme)?.otherAttentionProductPrecision {
                    rows.append(("forward b32 x s128 \(scheme), attention products \(other)", String(format: "%.0f tokens/s", tokens),
                                 "forward_\(scheme)_attention_\(other)"))
                }
            } else if let reason = quantizedSkipReasons[scheme] {
                rows.append(("forward \(scheme)", "skipped: \(reason)", nil))
            }
        }
        rows += [
            ("train step b32 x s64", String(format: "%.0f tokens/s", trainTokensPerSecond), CodingKeys.trainTokensPerSecond.stringValue),
            ("train step b32 x s64 bf16", trainTokensPerSecondBF16.map { String(format: "%.0f tokens/s", $0) }
                ?? "skipped: \(trainBF16SkipReason ?? "not measured")", CodingKeys.trainTokensPerSecondBF16.stringValue),
            ("general distillation step b16 x s128 (distilbert, 6 -> 3 layers)", String(format: "%.0f tokens/s", generalDistillTokensPerSecond),
             CodingKeys.generalDistillTokensPerSecond.stringValue),
            ("forward share of matmul rate", String(format: "%.0f%%", 100 * forwardMatmulEfficiency), nil),
        ]
        if let tokenizerMegabytesPerSecond {
            rows.append(("WordPiece tokenizer, one text at a time", String(format: "%.1f MB/s", tokenizerMegabytesPerSecond),
                         CodingKeys.tokenizerMegabytesPerSecond.stringValue))
        } else if let tokenizerSkipReason {
            rows.append(("WordPiece tokenizer, one text at a time", "skipped: \(tokenizerSkipReason)", nil))
        }
        let peak = { (key: String?) in key.flatMap { peakResidentMegabytes[$0] }.map { String(format: "%.0f MB", $0) } ?? "" }
        return TextTable(header: ["measurement", "result", "peak resident"], rows: rows.map { [$0.0, $0.1, peak($0.2)] }).rendered
    }
}

extension ModelConfig {
    /// all-MiniLM-L6-v2's shape: 6 layers, hidden 384, 12 heads, FFN 1536, vocabulary 30522.
    static var miniLMShape: ModelConfig {
        ModelConfig(modelType: .bert, hiddenSize: 384, layerCount: 6, headCount: 12, intermediateSize: 1536, vocabSize: 30522)
    }
}

extension QuantizationScheme {
    /// The attention products' precision that the scheme does not use, for the bench's comparison row.
    var otherAttentionProductPrecision: MatmulPrecision { attentionProductPrecision == .f32 ? .bf16 : .f32 }
}
