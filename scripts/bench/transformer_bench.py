#!/usr/bin/env python3
"""PyTorch eager reference for the Go benchmarks in transformer/bench_test.go.

Same sizes (batch 12, seq 64, width 128, 4 heads, FFN 512, GELU, dropout 0) and the same work per
step: forward, loss = sum(out * R), backward to the input and every parameter. Two threads, as
the Go side gets on this machine. Run from the repository root:

    .venv-ref/bin/python scripts/bench/transformer_bench.py
"""
import time

import torch
import torch.nn as nn

BATCH, SEQ, WIDTH, HEADS = 12, 64, 128, 4


def bench(name, module, forward, steps=10, repeats=3):
    x = torch.randn(BATCH, SEQ, WIDTH, requires_grad=True)
    r = torch.randn(BATCH, SEQ, WIDTH)

    def step():
        module.zero_grad(set_to_none=True)
        x.grad = None
        loss = (forward(module, x) * r).sum()
        loss.backward()

    for _ in range(3):  # warm up
        step()
    # The best of a few repeats: the machine is shared, so the minimum is the least disturbed.
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        times.append((time.perf_counter() - start) / steps)
    print(f"{name:<28} {min(times) * 1e3:8.2f} ms/step (best of {repeats}×{steps} steps)")


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    causal = nn.Transformer.generate_square_subsequent_mask(SEQ)

    layer = nn.TransformerEncoderLayer(WIDTH, HEADS, 4 * WIDTH, dropout=0.0, activation="gelu", batch_first=True)
    bench("EncoderLayer (post-LN)", layer, lambda m, x: m(x))

    pre = nn.TransformerEncoderLayer(WIDTH, HEADS, 4 * WIDTH, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
    stack = nn.TransformerEncoder(pre, 4, norm=nn.LayerNorm(WIDTH), enable_nested_tensor=False)
    bench("PreLNStack4 (causal)", stack, lambda m, x: m(x, mask=causal, is_causal=True))

    mha = nn.MultiheadAttention(WIDTH, HEADS, dropout=0.0, batch_first=True)
    bench("Attention (causal)", mha, lambda m, x: m(x, x, x, attn_mask=causal, need_weights=False)[0])


if __name__ == "__main__":
    main()
