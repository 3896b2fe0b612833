#!/usr/bin/env bash
# scripts/test.sh — `make test`: the whole suite.
#   0. every shell script (.ci/run, scripts/*.sh) parses
#   1. setup (with the browser-test dependencies)
#   2. gofmt, go vet + go test ./... (unit and parity tests; on XLA when its plugin is installed), then the
#      race detector on the concurrent code (scripts/race.sh)
#   3. the parity suite again on the pure-Go backend (both backends are checked), and with the CLI's
#      tests on XLA with oneDNN matrix products (BERT2GPT_XLA_ONEDNN=1) when the XLA plugin is installed
#   4. every notebook matches its lesson, and runs in quick mode (BERT2GPT_QUICK=1) without errors
#   5. a real browser opens chapter 00 in JupyterLab and runs it on the GoNB kernel
# --go-only stops after step 3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. scripts/goenv.sh
export PATH="$ROOT/.bin:$PATH"
go_only=0; [ "${1:-}" = --go-only ] && go_only=1
banner() { printf '\n\033[1m=== %s\033[0m\n' "$*"; }
t0=$(date +%s)

banner "shell scripts parse (bash -n)"
for f in .ci/run scripts/*.sh; do bash -n "$f" || { echo "syntax error in $f" >&2; exit 1; }; done

banner "setup"
if [ "$go_only" = 1 ]; then scripts/setup.sh; else scripts/setup.sh --browser; fi

# The real pretrained weights (scripts/setup.sh installs them into .tools/models) must be there:
# their tests fail instead of skipping, unless the install was skipped on purpose.
[ "${BERT2GPT_NO_MODELS:-0}" = 1 ] || export BERT2GPT_REQUIRE_MODELS=1

banner "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.*'))
[ -z "$unformatted" ] || { echo "not gofmt-formatted (run gofmt -w):" >&2; echo "$unformatted" >&2; exit 1; }

banner "go vet + go test ./... (default backend: $(BERT2GPT_XLA_ONEDNN=0 go run ./cmd/bert2gpt backend 2>/dev/null || echo '?'))"
go vet ./...
go test -timeout 30m ./...
scripts/race.sh

banner "parity suite on the pure-Go backend"
GOMLX_BACKEND=go go test -count=1 -timeout 30m ./transformer/...

if [ -e .tools/pjrt/pjrt_c_api_cpu_plugin.so ]; then
  banner "parity suite and CLI on XLA with oneDNN matrix products (BERT2GPT_XLA_ONEDNN=1, the CLI's default)"
  BERT2GPT_XLA_ONEDNN=1 go test -count=1 -timeout 30m ./transformer/... ./cmd/...
fi

[ "$go_only" = 1 ] && { echo "go tests done in $(( $(date +%s) - t0 ))s"; exit 0; }

banner "notebooks: lessons in sync, quick run"
.venv/bin/python scripts/notebooks.py check
.venv/bin/python scripts/notebooks.py run --quick --timeout 900

banner "browser: JupyterLab + Chromium run chapter 00"
node scripts/browser/lab_test.mjs

echo "make test: all passed in $(( $(date +%s) - t0 ))s"
