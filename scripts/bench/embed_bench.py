#!/usr/bin/env python3
"""Sentence-embedding throughput of sentence-transformers on all-MiniLM-L6-v2 (PyTorch eager, CPU).

The batch matches BenchmarkEmbedMiniLM in transformer/bert/bench_test.go: the 29 sentences of
transformer/bert/testdata/minilm/inputs.json shorter than max_seq_length, then the first three
again (32 texts, 3 to 28 tokens), embedded with SentenceTransformer.encode(batch_size=32):
tokenization, the 6-layer encoder, mean pooling, normalisation. The model is read from the checkout's
.tools/models/all-MiniLM-L6-v2 (scripts/setup.sh installs it). Run from the repository root:

    .venv-ref/bin/python scripts/bench/embed_bench.py [--threads 2] [--rounds 30]

and compare with

    GOEXPERIMENT=simd go test ./transformer/bert -run '^$' -bench EmbedMiniLM -benchtime 30x

It prints one JSON line: {"sentences_per_second": ..., "ms_per_batch": ..., ...} (medians).
"""
import argparse
import json
import os
import statistics
import time

import torch
from sentence_transformers import SentenceTransformer

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def bench_texts():
    with open(os.path.join(ROOT, "transformer", "bert", "testdata", "minilm", "inputs.json")) as f:
        sentences = json.load(f)["sentences"]
    texts = [s for s in sentences if len(s) < 500][:29]
    return texts + texts[:3]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--model", default=os.path.join(ROOT, ".tools", "models", "all-MiniLM-L6-v2"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model = SentenceTransformer(args.model, device="cpu")
    texts = bench_texts()
    with torch.inference_mode():
        for _ in range(3):
            model.encode(texts, batch_size=32)
        times = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            model.encode(texts, batch_size=32)
            times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print(json.dumps({"engine": "sentence-transformers (PyTorch eager)", "torch": torch.__version__,
                      "threads": args.threads, "batch": len(texts), "ms_per_batch": round(med * 1e3, 2),
                      "sentences_per_second": round(len(texts) / med, 1)}))


if __name__ == "__main__":
    main()
