#!/usr/bin/env bash
# scripts/bench.sh — `make bench`: first the nanoGPT training step on PyTorch and on every GoMLX backend
# here, with model FLOP/s and MFU (scripts/bench/train_step.py); then all Go benchmarks on every backend,
# and the PyTorch reference scripts when the reference venv exists (.venv-ref, see
# scripts/reference/requirements.txt). Results go to out/bench/ and are summarised on stdout.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. scripts/goenv.sh
OUT="$ROOT/out/bench"
mkdir -p "$OUT"
scripts/setup.sh >/dev/null

py=python3
[ -x .venv-ref/bin/python ] && py=.venv-ref/bin/python
echo "== nanoGPT CPU recipe training step on every engine (scripts/bench/train_step.py)"
"$py" scripts/bench/train_step.py | tee "$OUT/train_step.txt"
echo "== the same step with the Tang chapters' 9,589-character vocabulary"
"$py" scripts/bench/train_step.py --vocab 9589 --steps 10 --rounds 2 | tee "$OUT/train_step_tang.txt"

backends=("go")
[ -e .tools/pjrt/pjrt_c_api_cpu_plugin.so ] && backends=("xla:$ROOT/.tools/pjrt/pjrt_c_api_cpu_plugin.so" "go")
# Sentence embeddings: the same batch of 32 sentences through all-MiniLM-L6-v2 (scripts/setup.sh
# installs it), bert2gpt on each backend vs sentence-transformers, both on 2 cores.
pin=()
if command -v taskset >/dev/null && [ "$(nproc)" -gt 2 ]; then pin=(taskset -c 0,1); fi
echo "== sentence embeddings: all-MiniLM-L6-v2, one batch of 32 sentences, 2 threads"
for b in "${backends[@]}"; do
  name=${b%%:*}
  GOMLX_BACKEND="$b" GOMAXPROCS=2 "${pin[@]}" go test -run '^$' -bench EmbedMiniLM -benchtime "${EMBED_BENCHTIME:-30x}" \
    -count "${COUNT:-1}" ./transformer/bert/ | tee "$OUT/embed-go-$name.txt" | grep -E '^Benchmark' | sed "s/^/  $name: /" || true
done
if [ -x .venv-ref/bin/python ]; then
  "${pin[@]}" .venv-ref/bin/python scripts/bench/embed_bench.py --threads 2 | tee "$OUT/embed-pytorch.txt" | sed 's/^/  pytorch: /'
fi

for b in "${backends[@]}"; do
  name=${b%%:*}
  echo "== Go benchmarks on backend $name"
  GOMLX_BACKEND="$b" go test -run '^$' -bench . -benchtime "${BENCHTIME:-10x}" -count "${COUNT:-1}" ./... \
    | tee "$OUT/go-$name.txt" | grep -E '^(Benchmark|ok|FAIL)' || true
done

if [ -x .venv-ref/bin/python ]; then
  for f in scripts/bench/*_bench.py; do
    [ "$f" = scripts/bench/gpt_bench.py ] && continue # run by train_step.py above
    [ "$f" = scripts/bench/embed_bench.py ] && continue # run with the sentence-embedding benchmark above
    echo "== $f (PyTorch / HF reference)"
    .venv-ref/bin/python "$f" | tee "$OUT/$(basename "$f" .py).txt"
  done
else
  echo "(no .venv-ref: PyTorch reference runs skipped; create it with"
  echo "  python3 -m venv .venv-ref && .venv-ref/bin/pip install -r scripts/reference/requirements.txt)"
fi
echo "results in out/bench/"
