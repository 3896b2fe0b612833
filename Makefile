# bert2gpt — every target is a one-liner over scripts/ (see scripts/*.sh for what each does).
.PHONY: setup lab test test-go notebooks bench
export GOEXPERIMENT ?= simd

setup:      ; scripts/setup.sh
lab:        ; scripts/lab.sh
test:       ; scripts/test.sh
test-go:    ; scripts/test.sh --go-only
notebooks:  ; scripts/setup.sh && .venv/bin/python scripts/notebooks.py sync && .venv/bin/python scripts/notebooks.py run --write
bench:      ; scripts/bench.sh
