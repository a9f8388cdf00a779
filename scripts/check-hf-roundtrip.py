#!/usr/bin/env python3
"""Development check, never run in CI: does a model directory written by `distill` load into Hugging Face
transformers without missing, unexpected or mis-shaped weights, and does transformers then compute what we do?

Needs a Python with torch and transformers (the tests never do). Usage:

  python scripts/check-hf-roundtrip.py MODEL_DIR [--outputs OURS.jsonl] [--distill PATH] [--texts FILE] [--atol X]

The transformers class comes from config.json's "architectures": *ForSequenceClassification,
*ForMaskedLM, *ForQuestionAnswering, or a bare *Model. Then one of two comparisons:

  --outputs OURS.jsonl   One JSON object per line: the inputs and our outputs for them,
                           {"input_ids": [...], "token_type_ids": [...], "attention_mask": [...], <outputs>}
                         (the last two optional), where <outputs> is "logits" ([labels] for a classifier,
                         [seq][vocab] for a masked LM), "start_logits" and "end_logits" ([seq]) for question
                         answering, or "last_hidden_state" ([seq][hidden]) for a bare encoder. transformers runs on
                         the same ids and every output must agree.
  otherwise              The directory also needs its tokenizer files. Texts (a built-in handful, or --texts with
                         JSON lines {"text": ...}) go through `distill embed` (for every head: the encoder's
                         mean-pooled, L2-normalised last hidden state) and, for a sequence classifier, through
                         `distill predict` (label and probability), and for a masked LM through
                         `distill eval --task mlm --logits` (the vocabulary logits of the masked texts);
                         transformers computes the same from the directory's tokenizer and model.

Exits with status 0 when everything agrees within --atol (absolute; default 1e-4), 1 otherwise.
"""

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

import torch
import transformers

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_TEXTS = [
    "it 's a charming and often affecting journey . ",
    "unflinchingly bleak and desperate",
    "Wow! What a surprise!",
    "The game was played on February 7, 2016, at Levi's Stadium in the San Francisco Bay Area.",
    "A short one.",
]
AUTO_CLASSES = {
    "ForSequenceClassification": transformers.AutoModelForSequenceClassification,
    "ForMaskedLM": transformers.AutoModelForMaskedLM,
    "ForQuestionAnswering": transformers.AutoModelForQuestionAnswering,
    "Model": transformers.AutoModel,
}


class Check:
    """Collects pass/fail lines and the overall verdict."""

    def __init__(self):
        self.failed = False

    def report(self, ok, message):
        print(("ok    " if ok else "FAIL  ") + message)
        self.failed |= not ok

    def close(self, name, ours, theirs, atol):
        ours = torch.as_tensor(ours, dtype=torch.float64)
        theirs = theirs.to(torch.float64)
        if ours.shape != theirs.shape:
            self.report(False, f"{name}: shape {tuple(ours.shape)}, transformers {tuple(theirs.shape)}")
            return
        error = (ours - theirs).abs().max().item() if ours.numel() else 0.0
        self.report(error <= atol, f"{name}: max abs difference {error:.3g} (tolerance {atol:g})")


def load_model(directory, check):
    config = json.loads((directory / "config.json").read_text())
    architecture = (config.get("architectures") or ["?"])[0]
    suffix = next((s for s in AUTO_CLASSES if architecture.endswith(s)), None)
    if suffix is None:
        sys.exit(f"{directory}/config.json: unsupported architectures {config.get('architectures')}")
    model, info = AUTO_CLASSES[suffix].from_pretrained(directory, output_loading_info=True)
    check.report(type(model).__name__ == architecture,
                 f"architectures {architecture!r} loads as {type(model).__name__}")
    for kind in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
        found = sorted(map(str, info.get(kind) or []))
        check.report(not found, f"{kind}: {found if found else 'none'}")
    if suffix == "ForMaskedLM":
        decoder, embeddings = model.get_output_embeddings().weight, model.get_input_embeddings().weight
        check.report(decoder.data_ptr() == embeddings.data_ptr(), "decoder weight tied to the word embeddings")
    return model.eval(), suffix


def compare_outputs(model, suffix, path, atol, check):
    """Our outputs from a JSON-lines file against transformers on the same ids."""
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    output_keys = {
        "ForSequenceClassification": ["logits"],
        "ForMaskedLM": ["logits"],
        "ForQuestionAnswering": ["start_logits", "end_logits"],
        "Model": ["last_hidden_state"],
    }[suffix]
    for number, record in enumerate(records, 1):
        ids = torch.tensor([record["input_ids"]])
        inputs = {"input_ids": ids, "attention_mask": torch.tensor([record.get("attention_mask", [1] * ids.shape[1])])}
        if "token_type_ids" in record and model.config.model_type != "distilbert":
            inputs["token_type_ids"] = torch.tensor([record["token_type_ids"]])
        with torch.no_grad():
            output = model(**inputs)
        for key in output_keys:
            check.close(f"line {number} {key}", record[key], getattr(output, key)[0], atol)


def run_distill(distill, command, directory, texts):
    lines = "".join(json.dumps({"text": text}) + "\n" for text in texts)
    result = subprocess.run([*distill, command, "--model", str(directory)], input=lines, capture_output=True,
                            text=True)
    if result.returncode != 0:
        sys.exit(f"distill {command} failed ({result.returncode}):\n{result.stderr}")
    return [json.loads(line) for line in result.stdout.splitlines()]


def compare_with_cli(model, suffix, directory, distill, texts, atol, check):
    """`distill embed` (and `distill predict` for classifiers) against transformers on the same texts."""
    tokenizer = transformers.AutoTokenizer.from_pretrained(directory)
    max_length = min(tokenizer.model_max_length, model.config.max_position_embeddings)
    batch = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    if model.config.model_type == "distilbert":
        batch.pop("token_type_ids", None)
    with torch.no_grad():
        hidden = model.base_model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        embeddings = torch.nn.functional.normalize(pooled, dim=-1)
    ours = run_distill(distill, "embed", directory, texts)
    check.close("distill embed", [line["embedding"] for line in ours], embeddings, atol)

    if suffix == "ForMaskedLM":
        compare_masked_lm_logits(model, suffix, directory, distill, texts, atol, check)
    if suffix != "ForSequenceClassification":
        return
    with torch.no_grad():
        logits = model(**batch).logits
    predictions = run_distill(distill, "predict", directory, texts)
    if logits.shape[1] == 1:
        check.close("distill predict scores (regression)", [p["score"] for p in predictions], logits[:, 0], atol)
        return
    probabilities = logits.softmax(-1)
    for number, (prediction, row) in enumerate(zip(predictions, probabilities), 1):
        top2 = row.topk(2)
        expected = model.config.id2label[top2.indices[0].item()]
        # A near tie may legitimately go either way at float32 precision.
        tie = (top2.values[0] - top2.values[1]).item() <= atol
        check.report(prediction["label"] == expected or tie,
                     f"distill predict line {number}: label {prediction['label']!r}, transformers {expected!r}")
        check.close(f"distill predict line {number} score", prediction["score"], top2.values[0], atol)


def compare_masked_lm_logits(model, suffix, directory, distill, texts, atol, check):
    """The logits `distill eval --task mlm` computes on the masked texts against transformers on the same ids."""
    with tempfile.TemporaryDirectory() as scratch:
        data, logits = pathlib.Path(scratch) / "texts.txt", pathlib.Path(scratch) / "logits.jsonl"
        data.write_text("".join(text + "\n" for text in texts))
        max_length = min(128, model.config.max_position_embeddings)
        result = subprocess.run([*distill, "eval", "--task", "mlm", "--model", str(directory), "--data", str(data),
                                 "--max-length", str(max_length), "--logits", str(logits)], capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"distill eval --task mlm failed ({result.returncode}):\n{result.stderr}")
        print(result.stdout, end="")
        compare_outputs(model, suffix, logits, atol, check)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", type=pathlib.Path, help="model directory written by distill")
    parser.add_argument("--outputs", type=pathlib.Path, help="JSON lines of inputs and our outputs to compare")
    parser.add_argument("--distill", default=str(ROOT / "distill"),
                        help="the distill executable (default: the repository's ./distill, which builds it)")
    parser.add_argument("--texts", type=pathlib.Path, help="JSON lines {\"text\": ...} to run (default: built-in)")
    parser.add_argument("--atol", type=float, default=1e-4, help="largest absolute difference allowed")
    arguments = parser.parse_args()

    torch.manual_seed(0)
    check = Check()
    model, suffix = load_model(arguments.model, check)
    if arguments.outputs:
        compare_outputs(model, suffix, arguments.outputs, arguments.atol, check)
    else:
        texts = DEFAULT_TEXTS
        if arguments.texts:
            texts = [json.loads(line)["text"] for line in arguments.texts.read_text().splitlines() if line.strip()]
        compare_with_cli(model, suffix, arguments.model, [arguments.distill], texts, arguments.atol, check)
    print("FAILED" if check.failed else "all checks passed")
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
