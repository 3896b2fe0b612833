package backend

import (
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/cpu"
)

// GODEBUGNoFMA is the GODEBUG setting that keeps math.Exp fast in a GOEXPERIMENT=simd build.
//
// Why: the pure-Go backend's matrix kernels use AVX-512 (Go's simd/archsimd) and return with the
// upper halves of the vector registers still in use (no VZEROUPPER). On an FMA-capable x86 CPU
// math.Exp runs an assembly routine that mixes VEX (FMA) and legacy SSE instructions, and in that
// state every such mix stalls: measured here, math.Exp takes 10 ns before any SIMD code ran and
// 1.2 µs after it (×120); math.Tanh, which calls Exp, ×3.6; plain float loops and math.Log are not
// affected, and a large copy (its AVX code ends with VZEROUPPER) makes Exp fast again until the next
// kernel. The backend's Exp op is a loop over math.Exp, so a softmax over a large vocabulary pays it
// in full: the nanoGPT CPU training step with the Tang chapters' 9,589-character vocabulary took
// 8.7 s on the pure-Go backend, and 0.99 s with GODEBUG=cpu.fma=off, which makes math.Exp take
// its SSE-only path. The matrix kernels do not depend on that flag (measured: same GFLOP/s).
//
// GODEBUG is read once when a Go program starts, so it must be in the environment beforehand:
// scripts/goenv.sh adds it for make test, make bench, make lab and the notebook kernel, and the
// bert2gpt command restarts itself with it (cmd/bert2gpt/reexec.go). Programs of your own: run them
// with GODEBUG=cpu.fma=off when they use the pure-Go backend; New's line says when it is missing.
const GODEBUGNoFMA = "cpu.fma=off"

// SlowExpTrap reports whether this process is exposed to the slow math.Exp described at
// GODEBUGNoFMA: a GOEXPERIMENT=simd build, on an x86 CPU with FMA, without cpu.fma=off in GODEBUG.
func SlowExpTrap() bool {
	return slowExpTrap(runtime.Version(), runtime.GOARCH, cpu.X86.HasFMA, os.Getenv("GODEBUG"))
}

func slowExpTrap(goVersion, goarch string, hasFMA bool, godebug string) bool {
	simd := strings.Contains(goVersion, "X:") && strings.Contains(goVersion, "simd") // e.g. "go1.26.8 X:simd"
	return simd && goarch == "amd64" && hasFMA && !hasGODEBUG(godebug, GODEBUGNoFMA)
}

// hasGODEBUG reports whether a comma-separated GODEBUG value contains setting (the last value of a
// key wins, as in the runtime).
func hasGODEBUG(godebug, setting string) bool {
	key, _, _ := strings.Cut(setting, "=")
	found := false
	for _, kv := range strings.Split(godebug, ",") {
		if k, _, _ := strings.Cut(strings.TrimSpace(kv), "="); k == key {
			found = strings.TrimSpace(kv) == setting
		}
	}
	return found
}

// WithoutSlowExp returns env (a list of "KEY=value" strings, as os.Environ) with GODEBUGNoFMA added
// to GODEBUG, keeping the other GODEBUG settings.
func WithoutSlowExp(env []string) []string {
	out := make([]string, 0, len(env)+1)
	godebug := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GODEBUG="); ok {
			godebug = v
			continue
		}
		out = append(out, kv)
	}
	if godebug != "" {
		godebug += ","
	}
	return append(out, "GODEBUG="+godebug+GODEBUGNoFMA)
}
