#!/usr/bin/env bash
# scripts/race.sh — `make race`: the data-race detector on the project's concurrent code.
#
# `go test -race` alone aborts in GoMLX's pure-Go matrix products ("fatal error: checkptr: pointer
# arithmetic result points to invalid allocation", in compute's dot/matmul kernels, with and without
# GOEXPERIMENT=simd): -race turns on checkptr everywhere, and those kernels do pointer arithmetic
# it rejects. The way through: keep the race detector everywhere, and turn checkptr off only in the
# compute module (-gcflags=github.com/gomlx/compute/...=-d=checkptr=0). On the XLA backend the
# kernels are not Go code and plain -race works; both backends are run when XLA is installed.
#   1. every test of the packages without models (atomic files, memory estimates, training loop and
#      checkpoints, tokenizers, datasets)
#   2. the concurrency tests of the models (4 goroutines generating on one gpt.Model, Forward on
#      one bert.Model): TestConcurrent*
# RACE_RUN='Pattern' replaces the -run pattern of step 2.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. scripts/goenv.sh
flags=(-race '-gcflags=github.com/gomlx/compute/...=-d=checkptr=0' -count=1)
banner() { printf '\n\033[1m=== %s\033[0m\n' "$*"; }

banner "race: packages without models"
go test "${flags[@]}" ./internal/... ./transformer/training/ ./transformer/tokenizer/... ./datasets/...

banner "race: model concurrency on the pure-Go backend"
GOMLX_BACKEND=go go test "${flags[@]}" -run "${RACE_RUN:-Concurrent}" ./transformer/gpt/ ./transformer/bert/

if [ -e .tools/pjrt/pjrt_c_api_cpu_plugin.so ]; then
  banner "race: model concurrency on XLA"
  go test "${flags[@]}" -run "${RACE_RUN:-Concurrent}" ./transformer/gpt/ ./transformer/bert/
fi
echo "race: no data race found"
