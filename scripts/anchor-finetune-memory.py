#!/usr/bin/env python3
"""PyTorch anchor for issue 14's memory point: N fine-tuning updates of a BERT classifier on SST-2 at batch 32 x 64.

Run it under `/usr/bin/time -v` beside the same `distill finetune` command (see README, Memory) and compare the
"Maximum resident set size" lines. Batches are padded to their longest sentence (at most --max-length tokens), as
distill pads them; AdamW at lr 5e-5; dropout on (train mode). Needs torch and transformers (not used at run time).

    /usr/bin/time -v python scripts/anchor-finetune-memory.py cache/all-MiniLM-L6-v2 ../shared/data/sst2/train.tsv
"""
import argparse
import csv
import time

import torch
from transformers import AutoTokenizer, BertForSequenceClassification

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("model")
parser.add_argument("train_tsv")
parser.add_argument("--steps", type=int, default=20)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--max-length", type=int, default=64)
parser.add_argument("--threads", type=int, default=2)
arguments = parser.parse_args()

torch.manual_seed(1)
torch.set_num_threads(arguments.threads)
with open(arguments.train_tsv, newline="") as file:
    rows = list(csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE))
tokenizer = AutoTokenizer.from_pretrained(arguments.model)
model = BertForSequenceClassification.from_pretrained(arguments.model, num_labels=2)
model.train()
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
order = torch.randperm(len(rows)).tolist()
start = time.perf_counter()
for step in range(arguments.steps):
    batch = [rows[i] for i in order[step * arguments.batch_size:(step + 1) * arguments.batch_size]]
    inputs = tokenizer([row["sentence"] for row in batch], padding=True, truncation=True,
                       max_length=arguments.max_length, return_tensors="pt")
    labels = torch.tensor([int(row["label"]) for row in batch])
    loss = model(**inputs, labels=labels).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
print(f"{arguments.steps} updates in {time.perf_counter() - start:.1f} s, last loss {loss.item():.4f}")
