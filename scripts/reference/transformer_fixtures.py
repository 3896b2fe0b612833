#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures for the Go package `transformer`.

Run from the repository root:

    .venv-ref/bin/python scripts/reference/transformer_fixtures.py [case …]   (default: every case)

Each case becomes transformer/testdata/<case>.json:

    {"meta": {...}, "tensors": {"<name>": {"shape": [...], "data": [flat, row-major floats]}}}

Parameter tensors are named "param/<path>" with the Go package's variable path (relative to the
scope under test), e.g. "param/self_attn/query/weight"; gradients of the scalar sum(out * R) for a
fixed random R are "grad/<path>" for parameters and "grad_input/<name>" for inputs. Boolean masks
are stored as 0/1 floats with 1 meaning "may attend" (the Go convention, the opposite of PyTorch's
key_padding_mask). Seeds are fixed, everything runs in float32 on the CPU, so the output is
deterministic.
"""
import argparse
import json
import math
import os
import re

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "transformer", "testdata")

D, HEADS, FF = 8, 2, 16  # width, heads, feed-forward hidden size of every case


def flat(t):
    a = t.detach().cpu().to(torch.float32).numpy()
    # str(np.float32) is the shortest decimal that reads back to the same float32.
    return {"shape": list(a.shape), "data": [float(str(v)) for v in a.reshape(-1)]}


def ours(name):
    """Maps a PyTorch parameter name to the Go package's variable path (before in_proj splitting)."""
    name = re.sub(r"layers\.(\d+)\.", r"layer_\1.", name)
    name = name.replace("multihead_attn", "cross_attn")
    name = re.sub(r"(^|\.)linear([12])\.", r"\1ffn.linear\2.", name)
    name = name.replace("out_proj.", "output.")
    name = re.sub(r"(norm\d?)\.weight$", r"\1.gain", name)
    if name.startswith("src_embed."):
        name = "source.embed." + name[len("src_embed."):]
    if name.startswith("tgt_embed."):
        name = "target.embed." + name[len("tgt_embed."):]
    return name.replace(".", "/")


def params_and_grads(module, out, with_grads):
    """Returns {"param/...": tensor} and, when with_grads, {"grad/...": tensor}."""
    res = {}
    for name, p in module.named_parameters():
        path = ours(name)
        pieces = {path: p}
        grads = {path: p.grad} if with_grads else {}
        for leaf in ("weight", "bias"):
            if path.endswith("in_proj_" + leaf):
                # PyTorch stacks [W_query; W_key; W_value]; the Go package keeps three Linears.
                pfx = path[: -len("in_proj_" + leaf)]
                names = [f"{pfx}{n}/{leaf}" for n in ("query", "key", "value")]
                pieces = dict(zip(names, p.chunk(3)))
                grads = dict(zip(names, p.grad.chunk(3))) if with_grads else {}
        for k, v in pieces.items():
            res["param/" + k] = v
        for k, v in grads.items():
            res["grad/" + k] = v
    return res


def save(case, tensors, **meta):
    body = {"meta": meta, "tensors": {k: flat(v) for k, v in sorted(tensors.items())}}
    path = os.path.join(OUT, case + ".json")
    with open(path, "w") as f:
        json.dump(body, f, separators=(",", ":"))
        f.write("\n")
    print(f"{path}: {os.path.getsize(path)} bytes")


def valid_mask(batch, seq, lengths):
    """[batch, seq] bool, True for real tokens (the first lengths[b] positions)."""
    return torch.arange(seq)[None, :] < torch.tensor(lengths)[:, None]


def causal_forbidden(q, k):
    """PyTorch attn_mask convention: True where attention is NOT allowed."""
    return torch.ones(q, k, dtype=torch.bool).triu(1)


def randn(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).requires_grad_(True)


def backward(out, extra=()):
    r = torch.randn(out.shape)
    (out * r).sum().backward()
    return r


def mha_case(case, seed, q_len, k_len, causal, cross):
    torch.manual_seed(seed)
    mha = nn.MultiheadAttention(D, HEADS, dropout=0.0, batch_first=True)
    nn.init.normal_(mha.in_proj_bias, std=0.1)
    nn.init.normal_(mha.out_proj.bias, std=0.1)
    q = randn(2, q_len, D)
    kv = randn(2, k_len, D) if cross else q
    valid = valid_mask(2, k_len, [k_len, k_len - 2])
    attn_mask = causal_forbidden(q_len, k_len) if causal else None
    out, w = mha(q, kv, kv, key_padding_mask=~valid, attn_mask=attn_mask, need_weights=True, average_attn_weights=False)
    r = backward(out)
    t = {"query": q, "out": out, "weights": w, "valid": valid.float(), "R": r, "grad_input/query": q.grad}
    if cross:
        t["memory"] = kv
        t["grad_input/memory"] = kv.grad
    t.update(params_and_grads(mha, out, True))
    save(case, t, heads=HEADS, causal=causal, cross=cross)


def norm_cases():
    torch.manual_seed(10)
    ln = nn.LayerNorm(D, eps=1e-5)
    nn.init.normal_(ln.weight, mean=1.0, std=0.3)
    nn.init.normal_(ln.bias, std=0.3)
    x = randn(2, 3, D, scale=2.0)
    with torch.no_grad():
        x += 0.5  # a non-zero mean to remove
    out = ln(x)
    r = backward(out)
    t = {"x": x, "out": out, "R": r, "grad_input/x": x.grad}
    t.update(params_and_grads(ln, out, True))
    save("layernorm", {k.replace("param/weight", "param/gain").replace("grad/weight", "grad/gain"): v for k, v in t.items()}, epsilon=1e-5)

    torch.manual_seed(11)
    rms = nn.RMSNorm(D, eps=1e-6)
    nn.init.normal_(rms.weight, mean=1.0, std=0.3)
    x = randn(2, 3, D, scale=2.0)
    out = rms(x)
    r = backward(out)
    t = {"x": x, "out": out, "R": r, "grad_input/x": x.grad, "param/gain": rms.weight, "grad/gain": rms.weight.grad}
    save("rmsnorm", t, epsilon=1e-6)


def gelu_case():
    torch.manual_seed(12)
    x = torch.cat([torch.linspace(-6, 6, 49), torch.randn(15) * 3]).requires_grad_(True)
    t = {"x": x}
    for name, fn in [("gelu", lambda v: F.gelu(v)), ("gelu_tanh", lambda v: F.gelu(v, approximate="tanh")), ("relu", F.relu)]:
        xi = x.detach().clone().requires_grad_(True)
        y = fn(xi)
        r = torch.randn(y.shape)
        (y * r).sum().backward()
        t[name] = y
        t[name + "_R"] = r
        t[name + "_grad"] = xi.grad
    save("activations", t)


def encoder_case(case, seed, norm_first, activation):
    torch.manual_seed(seed)
    layer = nn.TransformerEncoderLayer(D, HEADS, FF, dropout=0.0, activation=activation, batch_first=True, norm_first=norm_first)
    layer.train()  # dropout is 0; train mode keeps PyTorch off its fused inference fast path
    x = randn(2, 5, D)
    valid = valid_mask(2, 5, [5, 3])
    out = layer(x, src_key_padding_mask=~valid)
    r = backward(out)
    t = {"x": x, "out": out, "valid": valid.float(), "R": r, "grad_input/x": x.grad}
    t.update(params_and_grads(layer, out, True))
    save(case, t, norm_first=norm_first, activation=activation)


def decoder_case(case, seed, norm_first, activation):
    torch.manual_seed(seed)
    layer = nn.TransformerDecoderLayer(D, HEADS, FF, dropout=0.0, activation=activation, batch_first=True, norm_first=norm_first)
    layer.train()
    x = randn(2, 4, D)
    memory = randn(2, 6, D)
    tgt_valid = valid_mask(2, 4, [4, 3])
    mem_valid = valid_mask(2, 6, [6, 4])
    out = layer(x, memory, tgt_mask=causal_forbidden(4, 4), tgt_key_padding_mask=~tgt_valid, memory_key_padding_mask=~mem_valid)
    r = backward(out)
    t = {"x": x, "memory": memory, "out": out, "target_valid": tgt_valid.float(), "memory_valid": mem_valid.float(),
         "R": r, "grad_input/x": x.grad, "grad_input/memory": memory.grad}
    t.update(params_and_grads(layer, out, True))
    save(case, t, norm_first=norm_first, activation=activation)


def transformer_case():
    torch.manual_seed(20)
    model = nn.Transformer(D, HEADS, 2, 2, FF, dropout=0.0, batch_first=True)
    model.train()
    src = torch.randn(2, 6, D)
    tgt = torch.randn(2, 5, D)
    src_valid = valid_mask(2, 6, [6, 4])
    tgt_valid = valid_mask(2, 5, [5, 3])
    out = model(src, tgt, tgt_mask=causal_forbidden(5, 5), src_key_padding_mask=~src_valid,
                tgt_key_padding_mask=~tgt_valid, memory_key_padding_mask=~src_valid)
    t = {"source": src, "target": tgt, "out": out, "source_valid": src_valid.float(), "target_valid": tgt_valid.float()}
    t.update(params_and_grads(model, out, False))
    save("transformer", t, layers=2)


class Seq2Seq(nn.Module):
    """Embeddings·√d + sinusoidal positions → nn.Transformer → Linear, as transformer.Seq2SeqLogits."""

    def __init__(self, src_vocab, tgt_vocab, max_len):
        super().__init__()
        self.src_embed = nn.Embedding(src_vocab, D)
        self.tgt_embed = nn.Embedding(tgt_vocab, D)
        self.transformer = nn.Transformer(D, HEADS, 2, 2, FF, dropout=0.0, batch_first=True)
        self.generator = nn.Linear(D, tgt_vocab)
        pe = np.zeros((max_len, D))
        for pos in range(max_len):
            for col in range(D):
                angle = pos / 10000 ** ((2 * (col // 2)) / D)
                pe[pos, col] = math.sin(angle) if col % 2 == 0 else math.cos(angle)
        self.register_buffer("pe", torch.tensor(pe, dtype=torch.float32))

    def forward(self, src, tgt, pad=0):
        s = self.src_embed(src) * math.sqrt(D) + self.pe[: src.shape[1]]
        t = self.tgt_embed(tgt) * math.sqrt(D) + self.pe[: tgt.shape[1]]
        out = self.transformer(s, t, tgt_mask=causal_forbidden(tgt.shape[1], tgt.shape[1]),
                               src_key_padding_mask=src == pad, tgt_key_padding_mask=tgt == pad,
                               memory_key_padding_mask=src == pad)
        return self.generator(out)


def seq2seq_case():
    torch.manual_seed(21)
    model = Seq2Seq(11, 13, 16)
    model.train()
    src = torch.tensor([[3, 4, 5, 6, 7, 2], [8, 9, 10, 2, 0, 0]])
    tgt = torch.tensor([[1, 5, 6, 7, 8], [1, 9, 3, 0, 0]])
    logits = model(src, tgt)
    # Greedy decoding, re-running the whole decoder each step (bos=1, eos=2, at most 6 tokens).
    with torch.no_grad():
        seqs = []
        for b in range(2):
            cur = torch.tensor([[1]])
            gen = []
            for _ in range(6):
                nxt = int(model(src[b : b + 1], cur)[0, -1].argmax())
                gen.append(nxt)
                cur = torch.cat([cur, torch.tensor([[nxt]])], dim=1)
                if nxt == 2:
                    break
            seqs.append(gen)
    t = {"source": src.float(), "target": tgt.float(), "logits": logits}
    t.update({k: v for k, v in params_and_grads(model, logits, False).items()})
    t = {k.replace("param/transformer/", "param/"): v for k, v in t.items()}
    save("seq2seq", t, source_vocab=11, target_vocab=13, max_len=16, pad=0, bos=1, eos=2, greedy=seqs)


def positions_case():
    torch.manual_seed(30)
    table = np.zeros((10, D))
    for pos in range(10):
        for i in range(D // 2):
            angle = pos / 10000 ** (2 * i / D)
            table[pos, 2 * i] = math.sin(angle)
            table[pos, 2 * i + 1] = math.cos(angle)
    # RoPE, "rotate half" layout, offset 3, base 10000, on x [batch=2, seq=5, heads=2, headDim=4].
    x = torch.randn(2, 5, 2, 4, dtype=torch.float64)
    half = 2
    inv = 1.0 / (10000 ** (torch.arange(half, dtype=torch.float64) * 2 / 4))
    theta = (torch.arange(5, dtype=torch.float64) + 3)[:, None] * inv[None, :]  # [seq, half]
    cos, sin = theta.cos()[None, :, None, :], theta.sin()[None, :, None, :]
    x1, x2 = x[..., :half], x[..., half:]
    rope = torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)
    save("positions", {"sinusoidal": torch.tensor(table), "rope_x": x, "rope_out": rope}, rope_offset=3, rope_base=10000.0)


def cross_entropy_case():
    """F.cross_entropy per position (reduction="none") and its gradient, for transformer.TokenNLL."""
    torch.manual_seed(13)
    logits = torch.randn(3, 5, 11) * 4
    logits[0, 0] += 100  # a row far from 0: the result must not depend on exp overflowing
    logits[1, 2, 3] = -60
    logits.requires_grad_(True)
    labels = torch.randint(0, 11, (3, 5))
    labels[1, 2] = 3  # the label of the very unlikely logit
    nll = F.cross_entropy(logits.reshape(-1, 11), labels.reshape(-1), reduction="none").reshape(3, 5)
    r = backward(nll)
    save("cross_entropy", {"logits": logits, "labels": labels.float(), "nll": nll, "R": r,
                           "grad_input/logits": logits.grad})


CASES = {
    "mha_self": lambda: mha_case("mha_self", 1, 5, 5, causal=False, cross=False),
    "mha_causal": lambda: mha_case("mha_causal", 2, 5, 5, causal=True, cross=False),
    "mha_cross": lambda: mha_case("mha_cross", 3, 4, 6, causal=False, cross=True),
    "layernorm": norm_cases,
    "activations": gelu_case,
    "encoder_post": lambda: encoder_case("encoder_post", 4, False, "relu"),
    "encoder_pre": lambda: encoder_case("encoder_pre", 5, True, "gelu"),
    "decoder_post": lambda: decoder_case("decoder_post", 6, False, "relu"),
    "decoder_pre": lambda: decoder_case("decoder_pre", 7, True, "gelu"),
    "transformer": transformer_case,
    "seq2seq": seq2seq_case,
    "positions": positions_case,
    "cross_entropy": cross_entropy_case,
}


def main():
    ap = argparse.ArgumentParser(description="Writes transformer/testdata/<case>.json.")
    ap.add_argument("cases", nargs="*", help="only these cases (default: all): " + ", ".join(CASES))
    args = ap.parse_args()
    unknown = sorted(set(args.cases) - set(CASES))
    if unknown:
        ap.error(f"unknown case(s) {unknown}; known: {', '.join(CASES)}")
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    for name in args.cases or CASES:
        CASES[name]()


if __name__ == "__main__":
    main()
