#!/usr/bin/env python3
"""Tokenizer throughput of HF `tokenizers` on the texts and vocabularies the Go benchmark uses.

1. Builds the two texts: TinyShakespeare (input.txt) and the Tang poems (all lines of the
   normalized cache file tang.jsonl written by the Go datasets package, joined with "\n").
2. Trains the vocabularies with HF tokenizers and saves them to OUT_DIR:
   bpe/vocab.json + bpe/merges.txt (ByteLevelBPE, 4096, on TinyShakespeare) and
   wordpiece/vocab.txt (BertWordPiece, 8000, on the Tang text).
3. Times HF encoding (best of N runs) of each whole text as one string, and of its lines with
   encode_batch (TOKENIZERS_PARALLELISM=false: one thread), and writes HF's ids of the whole
   texts to OUT_DIR/*.ids.int32 so the Go side can check it gets the same ids.

The Go side (same texts, same vocabulary files):
  BERT2GPT_BENCH_DIR=OUT_DIR GOEXPERIMENT=simd go test ./transformer/tokenizer -run XXX -bench Throughput -benchtime 5x

Usage: .venv-ref/bin/python scripts/bench/tokenizer_bench.py [OUT_DIR]   (default /tmp/bert2gpt-tokbench)
"""
import array
import json
import os
import sys
import time

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
import tokenizers  # noqa: E402
from tokenizers import BertWordPieceTokenizer, ByteLevelBPETokenizer  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def cache_dir():
    if os.environ.get("BERT2GPT_CACHE"):
        return os.environ["BERT2GPT_CACHE"]
    return os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "bert2gpt")


def shakespeare_text():
    for d in [os.environ.get("BERT2GPT_DATA_DIR", ""), os.path.join(ROOT, "..", "shared", "data"), cache_dir()]:
        p = os.path.join(d, "tinyshakespeare", "input.txt")
        if d and os.path.exists(p):
            return open(p, encoding="utf-8").read()
    sys.exit("TinyShakespeare not found: set BERT2GPT_DATA_DIR")


def tang_text():
    p = os.path.join(cache_dir(), "chinese-poetry", "2.0.1", "tang.jsonl")
    if not os.path.exists(p):
        sys.exit(f"{p} not found: run the Go datasets loader once (datasets.TangPoems)")
    lines = []
    with open(p, encoding="utf-8") as f:
        for row in f:
            lines.extend(json.loads(row)["lines"])
    return "\n".join(lines)


def best_of(n, fn):
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/bert2gpt-tokbench"
    os.makedirs(os.path.join(out, "bpe"), exist_ok=True)
    os.makedirs(os.path.join(out, "wordpiece"), exist_ok=True)
    shakes, tang = shakespeare_text(), tang_text()
    with open(os.path.join(out, "tang.txt"), "w", encoding="utf-8") as f:
        f.write(tang)

    bpe = ByteLevelBPETokenizer(add_prefix_space=False)
    bpe.train_from_iterator([shakes], vocab_size=4096, min_frequency=2, special_tokens=["<|endoftext|>"])
    bpe.save_model(os.path.join(out, "bpe"))
    bpe = ByteLevelBPETokenizer(os.path.join(out, "bpe", "vocab.json"), os.path.join(out, "bpe", "merges.txt"))

    wp = BertWordPieceTokenizer(lowercase=True)
    wp.train_from_iterator(tang.split("\n"), vocab_size=8000, min_frequency=2, limit_alphabet=10000,
                           special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    wp.save_model(os.path.join(out, "wordpiece"))
    wp = BertWordPieceTokenizer(os.path.join(out, "wordpiece", "vocab.txt"), lowercase=True)

    results = {"tokenizers_version": tokenizers.__version__}
    for name, tok, text in [("bpe_tinyshakespeare", bpe, shakes), ("wordpiece_tang", wp, tang)]:
        nbytes = len(text.encode("utf-8"))
        n_tokens = len(tok.encode(text, add_special_tokens=False).ids)
        ids = tok.encode(text, add_special_tokens=False).ids
        array.array("i", ids).tofile(open(os.path.join(out, name + ".ids.int32"), "wb"))
        secs = best_of(3, lambda: tok.encode(text, add_special_tokens=False))
        lines = text.split("\n")
        secs_lines = best_of(3, lambda: tok.encode_batch(lines, add_special_tokens=False))
        results[name] = {"bytes": nbytes, "tokens": n_tokens, "seconds_whole": secs, "MB_per_s_whole": nbytes / secs / 1e6,
                         "seconds_lines": secs_lines, "MB_per_s_lines": nbytes / secs_lines / 1e6}
        print(f"HF tokenizers {tokenizers.__version__} {name}: {nbytes} bytes, {n_tokens} tokens; "
              f"whole text {secs*1000:.0f} ms = {nbytes/secs/1e6:.2f} MB/s; "
              f"by lines (encode_batch, 1 thread) {secs_lines*1000:.0f} ms = {nbytes/secs_lines/1e6:.2f} MB/s")
    with open(os.path.join(out, "hf_results.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
