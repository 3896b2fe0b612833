"""Generation speed of Hugging Face `GPT2LMHeadModel.generate` (PyTorch eager, CPU), for comparison
with `go test -run '^$' -bench Generate256 ./transformer/gpt/` on the same two models:

  4x128: nanoGPT's CPU recipe model (4 layers, 4 heads, width 128, vocab 65) with a 320-token context
  6x384: 6 layers, 6 heads, width 384 (nanoGPT's Shakespeare-char size), same vocabulary and context

Random weights (GPT-2 initialisation; speed does not depend on the values), a 16-token prompt
0, 1, …, 15, and 256 new tokens by greedy decoding with `min_new_tokens` so every run produces all
256, with the KV cache (`use_cache=True`, HF's default) and without it. Two threads, like the
2-core machine the Go numbers come from.

    .venv-ref/bin/python scripts/bench/generate_bench.py [--runs 3]

Prints one JSON line per model and mode: {"model": …, "cache": …, "tokens_per_s": median, …}.
"""
import argparse
import json
import statistics
import time

import torch
from transformers import GPT2Config, GPT2LMHeadModel

MODELS = {"4x128": (4, 4, 128), "6x384": (6, 6, 384)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="timed generations per model and mode (median reported)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    prompt = torch.arange(16).unsqueeze(0)
    for name, (layers, heads, width) in MODELS.items():
        cfg = GPT2Config(vocab_size=65, n_positions=320, n_embd=width, n_layer=layers, n_head=heads,
                         resid_pdrop=0, embd_pdrop=0, attn_pdrop=0)
        model = GPT2LMHeadModel(cfg).eval()
        for cache in (True, False):
            opts = dict(max_new_tokens=256, min_new_tokens=256, do_sample=False, use_cache=cache,
                        pad_token_id=0)
            with torch.no_grad():
                model.generate(prompt, **{**opts, "max_new_tokens": 2, "min_new_tokens": 2})  # warm-up
                times = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    out = model.generate(prompt, **opts)
                    times.append(time.perf_counter() - start)
            assert out.shape[1] == 16 + 256, out.shape
            t = statistics.median(times)
            print(json.dumps({"model": name, "cache": cache, "tokens_per_s": round(256 / t, 1),
                              "seconds": round(t, 3), "runs": args.runs, "threads": args.threads}), flush=True)


if __name__ == "__main__":
    main()
