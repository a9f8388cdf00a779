import ArgumentParser
import Foundation
import Models
import NN

/// `distill quantize`: an int8 or bf16 copy of a float32 model directory, for faster inference.
struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Write an int8 or bf16 copy of a float32 model for faster inference.",
        discussion: """
            Quantizes the linear layers of the transformer blocks (the attention projections and the \
            feed-forward); embeddings, LayerNorm, softmax, GELU, pooler and task heads stay float32.

            --int8: weights int8, symmetric, one scale per output channel (stored as <layer>.weight I8 and \
            <layer>.weight_scale F32); inputs quantized to uint8 per token at run time; products on oneDNN's \
            VNNI/AMX kernels. Needs AVX512-VNNI, AVX-VNNI or AMX-INT8.

            --bf16: weights and embedding tables bfloat16, products bfloat16 x bfloat16 into float32. Needs \
            AVX512-BF16 or AMX-BF16. The output loads in transformers as it is.

            The output directory gets model.safetensors, config.json with a quantization_config (see the \
            README), and the other files of --model (tokenizer, sentence-transformers configs and folders). \
            predict, eval, embed and bench run it as it is; it cannot be trained (train the float32 model and \
            quantize the result).

            Example:
              distill quantize --model runs/student-sst2 \\
                --output runs/student-sst2-int8 --int8
            """)

    /// The stored weight format.
    enum Format: String, EnumerableFlag {
        case int8, bf16

        static func help(for value: Format) -> ArgumentHelp? {
            switch value {
            case .int8: "Dynamic int8: s8 weights per output channel, u8 inputs per token."
            case .bf16: "bfloat16 weights, products into float32."
            }
        }

        var scheme: any QuantizationScheme {
            switch self {
            case .int8: Int8DynamicQuantization()
            case .bf16: BF16Quantization()
            }
        }
    }

    @Option(help: ArgumentHelp("The float32 model directory (config.json, model.safetensors, tokenizer files).", valueName: "dir"))
    var model: String

    @Option(help: ArgumentHelp("Where to write the quantized model (created; its files are replaced).", valueName: "dir"))
    var output: String

    @Flag(help: "The format (one of them, no default).")
    var format: Format

    func validate() throws {
        if URL(fileURLWithPath: model).standardizedFileURL == URL(fileURLWithPath: output).standardizedFileURL {
            throw ValidationError("--output must differ from --model (the float32 model is the one to keep training)")
        }
    }

    func run() throws {
        let scheme = format.scheme
        if let reason = scheme.missingSupport() {
            throw CommandLineError("--\(format.rawValue): \(reason); quantize on (and run the model on) a CPU that has them")
        }
        try CheckpointQuantization.quantize(modelAt: URL(fileURLWithPath: model), into: URL(fileURLWithPath: output), scheme: scheme)
        printError("quantize: wrote the \(scheme.name) model to \(output)")
    }
}
