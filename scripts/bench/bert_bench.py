#!/usr/bin/env python3
"""Times one BERT pre-training step of transformers' BertForPreTraining (PyTorch eager, CPU).

The configuration and batch match BenchmarkPretrainStep in transformer/bert/bench_test.go (the
model of `bert2gpt bert pretrain --size tiny` on Tang poems): 2 layers, hidden 128, 4 heads,
intermediate 512, vocabulary 6,964, batch 32 x 32, 15% of the positions predicted, NSP labels.
A step is forward (MLM logits at every position, as BertForPreTraining computes them) + loss +
backward + clip_grad_norm_(1.0) + AdamW. Run from the repository root:

    .venv-ref/bin/python scripts/bench/bert_bench.py [--threads 2] [--steps 30]

and compare with

    GOEXPERIMENT=simd go test ./transformer/bert -run '^$' -bench PretrainStep -benchtime 30x

It prints one JSON line: {"ms_per_step": ..., ...}.
"""
import argparse
import json
import time

import torch
from transformers import BertConfig, BertForPreTraining


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=32)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    cfg = BertConfig(vocab_size=6964, hidden_size=128, num_hidden_layers=2, num_attention_heads=4,
                     intermediate_size=512, max_position_embeddings=64, type_vocab_size=2)
    model = BertForPreTraining(cfg).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    B, T = args.batch, args.seq

    def batch():
        ids = torch.randint(5, cfg.vocab_size, (B, T))
        types = torch.zeros(B, T, dtype=torch.long)
        types[:, T // 2:] = 1
        labels = torch.full((B, T), -100)
        sel = torch.rand(B, T) < 0.15
        sel[:, 0] = False
        labels[sel] = ids[sel]
        return ids, types, torch.ones(B, T, dtype=torch.long), labels, torch.randint(0, 2, (B,))

    def step():
        ids, types, mask, labels, nsp = batch()
        out = model(input_ids=ids, token_type_ids=types, attention_mask=mask, labels=labels, next_sentence_label=nsp)
        opt.zero_grad(set_to_none=True)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    ms = (time.perf_counter() - start) / args.steps * 1000
    print(json.dumps({"ms_per_step": round(ms, 2), "threads": args.threads, "batch": B, "seq": T,
                      "params": sum(p.numel() for p in model.parameters()), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
