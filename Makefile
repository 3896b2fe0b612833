# bert2gpt — every target is a one-liner over scripts/ (see scripts/*.sh for what each does).
.PHONY: setup lab test test-go notebooks bench fuzz race
export GOEXPERIMENT ?= simd
# go.mod needs Go 1.27: machines that pin GOTOOLCHAIN=local fetch go1.27.3 (same rule as scripts/goenv.sh)
ifeq ($(filter-out local auto local+% auto+%,$(GOTOOLCHAIN)),)
export GOTOOLCHAIN := go1.27.3
endif

setup:      ; scripts/setup.sh
lab:        ; scripts/lab.sh
test:       ; scripts/test.sh
test-go:    ; scripts/test.sh --go-only
notebooks:  ; scripts/setup.sh && .venv/bin/python scripts/notebooks.py sync && .venv/bin/python scripts/notebooks.py run --write
bench:      ; scripts/bench.sh
fuzz:       ; scripts/fuzz.sh
race:       ; scripts/race.sh
