import ArgumentParser

/// The `distill` command line: one subcommand per job.
@main
struct Distill: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Distil BERT-family teachers into smaller, faster students, in Swift on oneDNN.",
        discussion: """
            Teachers are Hugging Face checkpoints (config.json, model.safetensors, vocab.txt or tokenizer.json); \
            students are written in the same layout and load back into transformers.

            The distillation pipeline, on SST-2 with the quick-start teacher (scripts/fetch-teacher puts it in \
            cache/), from the project root:
              # 1. fine-tune the teacher on the task
              distill finetune --model cache/all-MiniLM-L6-v2 --task sst2 \\
                --train ../shared/data/sst2/train.tsv --dev ../shared/data/sst2/dev.tsv \\
                --output runs/teacher
              # 2. make a student of 3 of its 6 layers
              distill student --teacher runs/teacher --layers 0,2,4 --output runs/student
              # 3. train the student on the teacher's soft targets
              distill task --teacher runs/teacher --student runs/student --task sst2 \\
                --train ../shared/data/sst2/train.tsv --dev ../shared/data/sst2/dev.tsv \\
                --output runs/student-sst2
              # 4. compare teacher and student: accuracy, size, latency, throughput
              distill eval --model runs/teacher --model runs/student-sst2 --task sst2 \\
                --data ../shared/data/sst2/dev.tsv

            `distill bench` measures the engine's speed on this machine.
            """,
        subcommands: [BenchCommand.self, FinetuneCommand.self, PredictCommand.self, EvalCommand.self, TokenizeCommand.self, EmbedCommand.self, StudentCommand.self, TaskCommand.self,
                      MLMCommand.self, GeneralCommand.self, AugmentCommand.self, QuantizeCommand.self,
                      AnswerCommand.self, PruneCommand.self, PruneSweepCommand.self])

    /// Runs the command, as one process of an `mpirun` job when started by `mpirun` (see ``JobProcesses``).
    static func main() {
        JobProcesses.main(self)
    }
}
