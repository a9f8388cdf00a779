#!/usr/bin/env python3
"""Side-by-side anchor, run by hand and never in CI: the throughput of one general-distillation step (DistilBERT's
triple loss) in PyTorch, to set beside `distill bench`'s figure for the same step.

Needs a Python with torch 2.x and transformers (the tests never do). Usage:

  python scripts/anchor-general-step.py [--teacher DIR] [--layers 0,2,4] [--batch-size 32] [--seq-len 128]
                                         [--steps 10] [--warmup 2] [--threads 2]

The step, as `distill general --objective distilbert` makes it (Hugging Face's DistilBERT recipe):
  - teacher: BertForMaskedLM from --teacher (default all-MiniLM-L6-v2, whose masked-LM head is then freshly
    initialised; a `distill mlm` output brings its trained head), in eval mode, without gradients;
  - student: the teacher's layers --layers (default 0,2,4) with its embeddings and head, in train mode (dropout);
  - input: --batch-size full sequences of --seq-len tokens ([CLS] random word pieces [SEP], no padding, as packed
    corpus text), 15% of the word pieces chosen, 80% [MASK] / 10% random / 10% kept;
  - loss: 5 x T^2 x KL(teacher || student) over the vocabulary at every non-pad token (T = 2, batch-mean over
    tokens) + 2 x the student's MLM cross-entropy at the chosen tokens + 1 x (1 - cosine) between the last hidden
    states of every non-pad token;
  - update: backward, gradient clipping at 5.0, AdamW (lr 5e-4, betas 0.9/0.98, eps 1e-6, weight decay 0, as
    `distill general`'s default).
fp32, --threads intra-op threads (default 2, the machine's cores). The --warmup steps are not timed.

Prints one JSON object: {"framework": "pytorch", ..., "tokens_per_second": ..., "seconds_per_step": ...}.
"""

import argparse
import copy
import json
import pathlib
import time

import torch
import torch.nn.functional as F
import transformers

ROOT = pathlib.Path(__file__).resolve().parent.parent
WEIGHTS = {"ce": 5.0, "mlm": 2.0, "cos": 1.0}
TEMPERATURE = 2.0


def make_student(teacher, layers):
    """The teacher's embeddings, the chosen layers and the masked-LM head (decoder tied to the word embeddings)."""
    student = copy.deepcopy(teacher)
    student.bert.encoder.layer = torch.nn.ModuleList(student.bert.encoder.layer[i] for i in layers)
    student.config.num_hidden_layers = len(layers)
    student.tie_weights()
    return student.train()


def masked_batch(config, tokenizer, batch_size, seq_len, generator):
    """Full-length sequences of random word pieces, 15% of them chosen for the MLM loss (80/10/10)."""
    special = set(tokenizer.all_special_ids)
    words = torch.tensor([i for i in range(config.vocab_size) if i not in special])
    body = words[torch.randint(len(words), (batch_size, seq_len - 2), generator=generator)]
    cls = torch.full((batch_size, 1), tokenizer.cls_token_id)
    sep = torch.full((batch_size, 1), tokenizer.sep_token_id)
    ids = torch.cat([cls, body, sep], dim=1)
    chosen = torch.zeros_like(ids, dtype=torch.bool)
    chosen[:, 1:-1] = torch.rand(body.shape, generator=generator) < 0.15
    labels = torch.where(chosen, ids, torch.full_like(ids, -100))
    draw = torch.rand(ids.shape, generator=generator)
    inputs = ids.clone()
    inputs[chosen & (draw < 0.8)] = tokenizer.mask_token_id
    randomised = chosen & (draw >= 0.8) & (draw < 0.9)
    inputs[randomised] = words[torch.randint(len(words), (int(randomised.sum()),), generator=generator)]
    return inputs, torch.ones_like(ids), labels


def distillation_step(teacher, student, optimizer, inputs, attention_mask, labels):
    with torch.no_grad():
        teacher_out = teacher(input_ids=inputs, attention_mask=attention_mask, output_hidden_states=True)
    student_out = student(input_ids=inputs, attention_mask=attention_mask, labels=labels, output_hidden_states=True)
    tokens = attention_mask.bool()
    student_logits, teacher_logits = student_out.logits[tokens], teacher_out.logits[tokens]
    loss_ce = F.kl_div(F.log_softmax(student_logits / TEMPERATURE, -1), F.softmax(teacher_logits / TEMPERATURE, -1),
                       reduction="batchmean") * TEMPERATURE**2
    student_hidden = student_out.hidden_states[-1][tokens]
    teacher_hidden = teacher_out.hidden_states[-1][tokens]
    loss_cos = (1 - F.cosine_similarity(student_hidden, teacher_hidden, dim=-1)).mean()
    loss = WEIGHTS["ce"] * loss_ce + WEIGHTS["mlm"] * student_out.loss + WEIGHTS["cos"] * loss_cos
    loss.backward()
    torch.nn.utils.clip_grad_norm_(student.parameters(), 5.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return loss.item()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teacher", type=pathlib.Path, default=ROOT / "cache" / "all-MiniLM-L6-v2",
                        help="teacher directory (default: cache/all-MiniLM-L6-v2)")
    parser.add_argument("--layers", default="0,2,4", help="teacher layers the student keeps (default 0,2,4)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument("--steps", type=int, default=10, help="timed steps (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads (default 2)")
    arguments = parser.parse_args()
    if arguments.steps < 1 or arguments.warmup < 0 or arguments.batch_size < 1 or arguments.seq_len < 3:
        parser.error("--steps, --batch-size must be at least 1, --warmup at least 0, --seq-len at least 3")

    torch.set_num_threads(arguments.threads)
    torch.manual_seed(0)
    transformers.logging.set_verbosity_error()  # the fresh head's "newly initialized" warning
    tokenizer = transformers.AutoTokenizer.from_pretrained(arguments.teacher)
    teacher = transformers.BertForMaskedLM.from_pretrained(arguments.teacher).eval()
    layers = [int(layer) for layer in arguments.layers.split(",")]
    student = make_student(teacher, layers)
    optimizer = torch.optim.AdamW(student.parameters(), lr=5e-4, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.0)
    generator = torch.Generator().manual_seed(0)
    batches = [masked_batch(teacher.config, tokenizer, arguments.batch_size, arguments.seq_len, generator)
               for _ in range(min(arguments.warmup + arguments.steps, 4))]

    for step in range(arguments.warmup):
        distillation_step(teacher, student, optimizer, *batches[step % len(batches)])
    start = time.perf_counter()
    losses = [distillation_step(teacher, student, optimizer, *batches[(arguments.warmup + step) % len(batches)])
              for step in range(arguments.steps)]
    elapsed = time.perf_counter() - start
    tokens = arguments.steps * arguments.batch_size * arguments.seq_len
    print(json.dumps({
        "framework": "pytorch", "torch": torch.__version__, "transformers": transformers.__version__,
        "threads": torch.get_num_threads(), "teacher": str(arguments.teacher), "student_layers": layers,
        "batch_size": arguments.batch_size, "seq_len": arguments.seq_len, "steps": arguments.steps,
        "last_loss": losses[-1], "seconds_per_step": elapsed / arguments.steps, "tokens_per_second": tokens / elapsed,
    }))


if __name__ == "__main__":
    main()
