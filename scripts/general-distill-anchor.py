"""PyTorch figure for `distill bench`'s general-distillation row: one DistilBERT-objective update at the same shapes.
Teacher: BertForMaskedLM, 6 layers x 384, 12 heads, FFN 1536, vocab 30522, eval mode, no grad. Student: the same
with 3 layers. Batch 16 x seq 128, every token real, 15% of them labelled. Loss: 5 * T^2 * KL over the vocabulary
(T = 2, batchmean over all tokens) + 2 * masked-LM cross-entropy + 1 * (1 - cos) of the last hidden states;
AdamW betas 0.9/0.98, eps 1e-6, lr 5e-4, weight decay 0 (Hugging Face's DistilBERT recipe).
Run: THREADS=2 /work/venv-torch/bin/python scripts/general-distill-anchor.py   (prints JSON; not used by the tests)
"""
import json, os, time
import torch
import torch.nn.functional as F
from transformers import BertConfig, BertForMaskedLM

torch.set_num_threads(int(os.environ.get("THREADS", "2")))
torch.manual_seed(0)
shape = dict(vocab_size=30522, hidden_size=384, num_attention_heads=12, intermediate_size=1536)
teacher = BertForMaskedLM(BertConfig(num_hidden_layers=6, **shape)).eval()
student = BertForMaskedLM(BertConfig(num_hidden_layers=3, **shape)).train()
optimizer = torch.optim.AdamW(student.parameters(), lr=5e-4, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.0)
batch, seq, temperature = 16, 128, 2.0
ids = torch.randint(1000, 30000, (batch, seq))
mask = torch.ones(batch, seq, dtype=torch.long)
labels = torch.where(torch.rand(batch, seq) < 0.15, ids, torch.full_like(ids, -100))

def step():
    optimizer.zero_grad()
    s = student(input_ids=ids, attention_mask=mask, output_hidden_states=True)
    with torch.no_grad():
        t = teacher(input_ids=ids, attention_mask=mask, output_hidden_states=True)
    s_logits, t_logits = s.logits.view(-1, shape["vocab_size"]), t.logits.view(-1, shape["vocab_size"])
    ce = F.kl_div(F.log_softmax(s_logits / temperature, -1), F.softmax(t_logits / temperature, -1),
                  reduction="batchmean") * temperature ** 2
    mlm = F.cross_entropy(s_logits, labels.view(-1), ignore_index=-100)
    s_hidden, t_hidden = s.hidden_states[-1].view(-1, 384), t.hidden_states[-1].view(-1, 384)
    cos = (1 - F.cosine_similarity(s_hidden, t_hidden, dim=-1)).mean()
    (5 * ce + 2 * mlm + cos).backward()
    torch.nn.utils.clip_grad_norm_(student.parameters(), 5.0)
    optimizer.step()

for _ in range(2): step()
times = []
for _ in range(5):
    start = time.perf_counter(); step(); times.append(time.perf_counter() - start)
times.sort()
print(json.dumps({"general_distill_tokens_per_s": batch * seq / times[len(times) // 2],
                  "shape": "b16 x s128, 6x384 teacher -> 3x384 student, distilbert objective"}))
