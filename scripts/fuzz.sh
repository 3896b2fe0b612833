#!/usr/bin/env bash
# scripts/fuzz.sh — `make fuzz`: every Go fuzz target of the project (func FuzzXxx in a _test.go
# outside lessons/), one after the other, each for FUZZTIME (default 10s; e.g. FUZZTIME=1000000x
# for a million executions, FUZZTIME=10m for ten minutes). Seed corpora live in
# <package>/testdata/fuzz/<FuzzXxx>/ and are also run by plain `go test`; a crasher the fuzzer finds
# is written there too, and this script then fails naming it.
#   FUZZTIME=30s make fuzz                  each target for 30 s
#   FUZZ_PARALLEL=4 make fuzz               4 fuzzing workers (default 1)
#   scripts/fuzz.sh FuzzReadSafetensors     only the targets whose name matches (grep -E)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. scripts/goenv.sh
fuzztime="${FUZZTIME:-10s}"
parallel="${FUZZ_PARALLEL:-1}"
only="${1:-.}"
failed=()
while IFS=: read -r file name; do
  [[ "$name" =~ $only ]] || continue
  pkg="./$(dirname "$file")"
  printf '\n\033[1m=== %s %s (%s)\033[0m\n' "$pkg" "$name" "$fuzztime"
  if ! go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -parallel "$parallel" 2>&1 | tail -n 5; then
    failed+=("$pkg $name")
  fi
done < <(grep -rHoE --include='*_test.go' --exclude-dir=lessons --exclude-dir=.git '^func Fuzz[A-Za-z0-9_]+' . |
         sed -E 's|^\./||; s|:func |:|' | sort)
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'fuzz: failing targets (their crashers are under testdata/fuzz/):\n' >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "fuzz: all targets passed"
