"""The nanoGPT CPU recipe's training step, measured in one run on every engine available here.

    python3 scripts/bench/train_step.py [--steps 30]      (`make bench` runs it with .venv-ref's Python)

For PyTorch eager (scripts/bench/gpt_bench.py, nanoGPT's model semantics; skipped when torch is not
importable) and for bert2gpt on each GoMLX backend (XLA when .tools/pjrt has the plugin, and the pure-Go
backend) it prints the median step time, the model FLOP/s and the MFU:

    model FLOPs per step = 6·B·T·(12·L·d² + V·d)  +  12·L·B·T²·d
                           (matmul weights, forward+backward)   (QKᵀ and A·V, forward+backward)
    MFU = model FLOP/s ÷ this machine's best measured float32 matmul throughput

with B = 12, T = 64, L = 4, d = 128, V = 65. The matmul throughput is measured by the same run:
`BenchmarkMatMulF32` (1024×1024 on each backend) and torch.matmul. Bias, LayerNorm, softmax and the
optimizer are not counted as model FLOPs: they are the overhead MFU exposes.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
B, T, L, D, V = 12, 64, 4, 128, 65
FLOPS_PER_STEP = 6 * B * T * (12 * L * D * D + V * D) + 12 * L * B * T * T * D


def go_bench(backend, pattern, pkg, benchtime):
    env = dict(os.environ, GOMLX_BACKEND=backend, GOEXPERIMENT=os.environ.get("GOEXPERIMENT", "simd"))
    out = subprocess.run(["go", "test", "-run", "^$", "-bench", pattern, "-benchtime", benchtime, pkg],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"go test -bench {pattern} {pkg} on {backend} failed:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")
    return out.stdout


def metric(text, unit):
    m = re.search(r"([\d.]+) " + re.escape(unit), text)
    return float(m.group(1)) if m else None


def torch_numbers(steps):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(2)
    a = torch.rand(1024, 1024)
    torch.matmul(a, a)
    start, n = time.perf_counter(), 20
    for _ in range(n):
        torch.matmul(a, a)
    gflops = 2 * 1024**3 * n / (time.perf_counter() - start) / 1e9
    runs = {}
    for threads in (1, 2):
        out = subprocess.run([sys.executable, os.path.join(ROOT, "scripts/bench/gpt_bench.py"),
                              "--steps", str(steps), "--threads", str(threads)], capture_output=True, text=True, check=True)
        runs[threads] = json.loads(out.stdout.strip().splitlines()[-1])["torch_step_ms"]
    best = min(runs, key=runs.get)
    return {"matmul_gflops": gflops, "step_ms": runs[best], "threads": best, "all": runs}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=30)
    args = ap.parse_args()

    rows, peaks = [], {}
    plugin = os.path.join(ROOT, ".tools/pjrt/pjrt_c_api_cpu_plugin.so")
    backends = ([("bert2gpt, XLA CPU", "xla:" + plugin)] if os.path.exists(plugin) else []) + [("bert2gpt, pure Go", "go")]
    for name, cfg in backends:
        step = metric(go_bench(cfg, "TrainStep$", "./transformer/gpt/", f"{args.steps}x"), "ms/step")
        peaks[name] = metric(go_bench(cfg, "MatMulF32", "./backend/", "10x"), "GFLOP/s")
        rows.append((name, step))
    torch = torch_numbers(args.steps)
    if torch:
        peaks["PyTorch"] = torch["matmul_gflops"]
        rows.append((f"PyTorch eager ({torch['threads']} thread{'s' if torch['threads'] > 1 else ''})", torch["step_ms"]))

    peak = max(peaks.values())
    print(f"nanoGPT CPU recipe step: B={B} T={T} L={L} d={D} V={V}; model FLOPs/step = {FLOPS_PER_STEP / 1e9:.3f} G")
    print("float32 matmul throughput (1024³): " + ", ".join(f"{k} {v:.1f} GFLOP/s" for k, v in peaks.items()))
    ref = rows[-1][1] if torch else None
    print(f"\n{'engine':34s} {'ms/step':>9s} {'GFLOP/s':>9s} {'MFU':>6s} {'vs PyTorch':>11s}")
    for name, ms in rows:
        gf = FLOPS_PER_STEP / (ms / 1000) / 1e9
        ratio = f"{ms / ref:.2f}×" if ref else "—"
        print(f"{name:34s} {ms:9.1f} {gf:9.1f} {100 * gf / peak:5.0f}% {ratio:>11s}")
    print(json.dumps({"flops_per_step": FLOPS_PER_STEP, "matmul_gflops": peaks,
                      "step_ms": {n: ms for n, ms in rows}}))


if __name__ == "__main__":
    main()
