#!/usr/bin/env bash
# scripts/bench.sh — `make bench`: the library's Go benchmarks on every backend available here, then the
# PyTorch reference scripts on the same machine when the reference venv exists (.venv-ref, see
# scripts/reference/requirements.txt). Results go to out/bench/ and are summarised on stdout.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export GOEXPERIMENT="${GOEXPERIMENT:-simd}"
OUT="$ROOT/out/bench"
mkdir -p "$OUT"
scripts/setup.sh >/dev/null

backends=("go")
[ -e .tools/pjrt/pjrt_c_api_cpu_plugin.so ] && backends=("xla:$ROOT/.tools/pjrt/pjrt_c_api_cpu_plugin.so" "go")
for b in "${backends[@]}"; do
  name=${b%%:*}
  echo "== Go benchmarks on backend $name"
  GOMLX_BACKEND="$b" go test -run '^$' -bench . -benchtime "${BENCHTIME:-10x}" -count "${COUNT:-3}" ./... \
    | tee "$OUT/go-$name.txt" | grep -E '^(Benchmark|ok|FAIL)' || true
done

if [ -x .venv-ref/bin/python ]; then
  for py in scripts/bench/*.py; do
    echo "== $py (PyTorch / HF reference)"
    .venv-ref/bin/python "$py" | tee "$OUT/$(basename "$py" .py).txt"
  done
else
  echo "(no .venv-ref: skipping the PyTorch reference runs; create it with"
  echo "  python3 -m venv .venv-ref && .venv-ref/bin/pip install -r scripts/reference/requirements.txt)"
fi
echo "results in out/bench/"
