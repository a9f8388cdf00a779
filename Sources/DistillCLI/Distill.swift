import ArgumentParser

/// The `distill` command line: one subcommand per job.
@main
struct Distill: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Distil BERT-family teachers into smaller, faster students, in Swift on oneDNN.",
        discussion: """
            Teachers are Hugging Face checkpoints (config.json, model.safetensors, vocab.txt or tokenizer.json);
            students are written in the same layout and load back into transformers.

            Example:
              distill bench --json bench.json
            """,
        subcommands: [BenchCommand.self, FinetuneCommand.self, PredictCommand.self, EvalCommand.self, TokenizeCommand.self, EmbedCommand.self, StudentCommand.self, TaskCommand.self])
}
