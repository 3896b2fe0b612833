"""Training-step time of nanoGPT's CPU recipe model in PyTorch eager, for comparison with
`go test -bench TrainStep ./transformer/gpt/` (and the step_ms of `bert2gpt gpt train`).

The model is written here from the recipe's semantics (not copied): GPT-2 style pre-LN blocks,
learned positions, causal self-attention with a fused qkv projection, GELU (tanh) MLP, final
LayerNorm, LM head tied to the token embedding; 4 layers, 4 heads, width 128, block 64, vocab 65,
no dropout. AdamW (lr 1e-3, β = 0.9/0.99, weight decay 0.1 on matrices), clipping at 1.0,
batch 12. Two threads, like the 2-core machine the Go numbers come from.

    .venv-ref/bin/python scripts/bench/gpt_bench.py [--steps 200]

Prints one JSON line: {"torch_step_ms": median, ...}.
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(d)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.c_fc = nn.Linear(d, 4 * d)
        self.mlp_proj = nn.Linear(4 * d, d)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        shape = (b, t, self.heads, d // self.heads)
        q, k, v = (z.view(shape).transpose(1, 2) for z in (q, k, v))
        att = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.c_proj(att.transpose(1, 2).reshape(b, t, d))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, vocab=65, block=64, d=128, layers=4, heads=4):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(block, d)
        self.h = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith("c_proj.weight") or name.endswith("mlp_proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def forward(self, idx, targets):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(t))
        for blk in self.h:
            x = blk(x)
        logits = self.ln_f(x) @ self.wte.weight.T  # tied head
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--vocab", type=int, default=65, help="65: TinyShakespeare characters; 9589: the Tang chapters")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1337)
    model = GPT(vocab=args.vocab)
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and not n.startswith(("wte", "wpe"))]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() == 2 and not n.startswith(("wte", "wpe")))]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.99), foreach=False)
    data = torch.randint(0, args.vocab, (200_000,))
    times = []
    for step in range(args.steps + 10):
        ix = torch.randint(len(data) - 65, (12,))
        x = torch.stack([data[i:i + 64] for i in ix])
        y = torch.stack([data[i + 1:i + 65] for i in ix])
        start = time.perf_counter()
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step >= 10:
            times.append(time.perf_counter() - start)
    print(json.dumps({"torch_step_ms": round(1000 * statistics.median(times), 3),
                      "torch_mean_ms": round(1000 * statistics.mean(times), 3),
                      "steps": args.steps, "threads": args.threads, "vocab": args.vocab, "torch": torch.__version__,
                      "params": sum(p.numel() for p in model.parameters())}))


if __name__ == "__main__":
    main()
