"""The nanoGPT CPU recipe's training step, measured in one run on every engine available here.

    python3 scripts/bench/train_step.py [--steps 30] [--rounds 3] [--vocab 65|9589]
                                          (`make bench` runs it with .venv-ref's Python)

Engines: PyTorch eager (scripts/bench/gpt_bench.py, nanoGPT's model semantics, 1 and 2 threads, the
faster one kept; skipped when torch is not importable) and bert2gpt on each GoMLX backend:

    XLA CPU                    the default when scripts/setup.sh installed the plugin
    XLA CPU + oneDNN           BERT2GPT_XLA_ONEDNN=1 (see package backend: off by default, XLA bug)
    XLA CPU, glibc malloc      BERT2GPT_MALLOC_TUNING=0 (what the allocator tuning buys)
    pure Go                    GOMLX_BACKEND=go

This machine's speed drifts by ±15% over minutes (a shared host), so the engines are measured in
`--rounds` interleaved rounds and each one's median step time over the rounds is reported; the ratio
to PyTorch is taken from those medians. For every engine it prints the median step time, the model
FLOP/s and the MFU:

    model FLOPs per step = 6·B·T·(12·L·d² + V·d)  +  12·L·B·T²·d
                           (matmul weights, forward+backward)   (QKᵀ and A·V, forward+backward)
    MFU = model FLOP/s ÷ this machine's best measured float32 matmul throughput

with B = 12, T = 64, L = 4, d = 128, V = 65 (TinyShakespeare characters; --vocab 9589 gives the
Tang chapters' vocabulary, BenchmarkTrainStepTangVocab, where the LM head dominates). The matmul throughput is measured by the same run:
`BenchmarkMatMulF32` (1024×1024 on each backend) and torch.matmul, the best of all rounds. Bias,
LayerNorm, softmax and the optimizer are not counted as model FLOPs: they are the overhead MFU exposes.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
B, T, L, D = 12, 64, 4, 128
BENCHMARKS = {65: "TrainStep$", 9589: "TrainStepTangVocab$"}  # transformer/gpt/bench_test.go


def flops_per_step(v):
    return 6 * B * T * (12 * L * D * D + v * D) + 12 * L * B * T * T * D
PLUGIN = os.path.join(ROOT, ".tools/pjrt/pjrt_c_api_cpu_plugin.so")


def go_bench(env, pattern, pkg, benchtime):
    env = dict(os.environ, GOEXPERIMENT=os.environ.get("GOEXPERIMENT", "simd"), **env)
    out = subprocess.run(["go", "test", "-run", "^$", "-bench", pattern, "-benchtime", benchtime, pkg],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"go test -bench {pattern} {pkg} with {env_text(env)} failed:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")
    return out.stdout


def env_text(env):
    return " ".join(f"{k}={v}" for k, v in env.items() if k.startswith(("GOMLX_", "BERT2GPT_")))


def metric(text, unit):
    m = re.search(r"([\d.]+) " + re.escape(unit) + r"(\s|$)", text)
    return float(m.group(1)) if m else None


def go_engines():
    """(name, environment, whether to measure its matmul peak) of every bert2gpt engine available here.
    The variants of XLA share the XLA CPU row's peak."""
    engines = []
    if os.path.exists(PLUGIN):
        xla = {"GOMLX_BACKEND": "xla:" + PLUGIN}
        engines += [("bert2gpt, XLA CPU", xla, True),
                    ("bert2gpt, XLA CPU + oneDNN", dict(xla, BERT2GPT_XLA_ONEDNN="1"), False),
                    ("bert2gpt, XLA CPU, glibc malloc", dict(xla, BERT2GPT_MALLOC_TUNING="0"), False)]
    return engines + [("bert2gpt, pure Go", {"GOMLX_BACKEND": "go"}, True)]


def torch_matmul_gflops():
    import torch
    torch.set_num_threads(2)
    a = torch.rand(1024, 1024)
    torch.matmul(a, a)
    start, n = time.perf_counter(), 20
    for _ in range(n):
        torch.matmul(a, a)
    return 2 * 1024**3 * n / (time.perf_counter() - start) / 1e9


def torch_step_ms(steps, vocab):
    """Median step time of the faster of 1 and 2 threads, and that thread count."""
    runs = {}
    for threads in (1, 2):
        out = subprocess.run([sys.executable, os.path.join(ROOT, "scripts/bench/gpt_bench.py"),
                              "--steps", str(steps), "--threads", str(threads), "--vocab", str(vocab)],
                             capture_output=True, text=True, check=True)
        runs[threads] = json.loads(out.stdout.strip().splitlines()[-1])["torch_step_ms"]
    best = min(runs, key=runs.get)
    return runs[best], best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=30, help="timed training steps per engine and round")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds over all engines")
    ap.add_argument("--vocab", type=int, default=65, choices=sorted(BENCHMARKS))
    args = ap.parse_args()
    flops = flops_per_step(args.vocab)
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False

    engines = go_engines()
    steps = {name: [] for name, _, _ in engines}
    peaks = {}
    torch_threads = None
    for r in range(args.rounds):
        for name, env, measure_peak in engines:
            out = go_bench(env, BENCHMARKS[args.vocab], "./transformer/gpt/", f"{args.steps}x")
            steps[name].append(metric(out, "median-ms/step"))
            if measure_peak:
                gf = metric(go_bench(env, "MatMulF32", "./backend/", "10x"), "GFLOP/s")
                peaks[name] = max(peaks.get(name, 0), gf)
        if have_torch:
            ms, torch_threads = torch_step_ms(args.steps, args.vocab)
            steps.setdefault("PyTorch eager", []).append(ms)
            peaks["PyTorch"] = max(peaks.get("PyTorch", 0), torch_matmul_gflops())
        print(f"round {r + 1}/{args.rounds}: " + ", ".join(f"{k} {v[-1]:.1f}" for k, v in steps.items()) + " ms/step",
              file=sys.stderr)

    median = {name: statistics.median(v) for name, v in steps.items()}
    peak = max(peaks.values())
    print(f"nanoGPT CPU recipe step: B={B} T={T} L={L} d={D} V={args.vocab}; model FLOPs/step = {flops / 1e9:.3f} G")
    print("float32 matmul throughput (1024³, best of the rounds): " +
          ", ".join(f"{k} {v:.1f} GFLOP/s" for k, v in peaks.items()))
    print(f"median over {args.rounds} interleaved rounds of {args.steps} steps each")
    ref = median.get("PyTorch eager")
    print(f"\n{'engine':36s} {'ms/step':>9s} {'GFLOP/s':>9s} {'MFU':>6s} {'vs PyTorch':>11s}   per round")
    for name, ms in median.items():
        gf = flops / (ms / 1000) / 1e9
        ratio = f"{ms / ref:.2f}×" if ref else "—"
        label = name + (f" ({torch_threads} thread{'s' if torch_threads > 1 else ''})" if name == "PyTorch eager" else "")
        print(f"{label:36s} {ms:9.1f} {gf:9.1f} {100 * gf / peak:5.0f}% {ratio:>11s}   " +
              " ".join(f"{x:.1f}" for x in steps[name]))
    print(json.dumps({"vocab": args.vocab, "flops_per_step": flops, "matmul_gflops": peaks, "step_ms": median,
                      "rounds": steps, "torch_threads": torch_threads}))


if __name__ == "__main__":
    main()
