package backend

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

func TestSlowExpTrapConditions(t *testing.T) {
	for _, c := range []struct {
		version, arch string
		fma           bool
		godebug       string
		want          bool
	}{
		{"go1.26.8 X:simd", "amd64", true, "", true},
		{"go1.26.8 X:simd", "amd64", true, "gctrace=1", true},
		{"go1.26.8 X:simd", "amd64", true, "cpu.fma=off", false},
		{"go1.26.8 X:simd", "amd64", true, "gctrace=1,cpu.fma=off", false},
		{"go1.26.8 X:simd", "amd64", true, "cpu.fma=off,cpu.fma=on", true}, // the last value wins
		{"go1.26.8", "amd64", true, "", false},                             // no simd kernels
		{"go1.26.8 X:simd", "amd64", false, "", false},                     // no FMA path in math.Exp
		{"go1.26.8 X:simd", "arm64", true, "", false},
	} {
		if got := slowExpTrap(c.version, c.arch, c.fma, c.godebug); got != c.want {
			t.Errorf("slowExpTrap(%q, %s, fma=%v, GODEBUG=%q) = %v, want %v", c.version, c.arch, c.fma, c.godebug, got, c.want)
		}
	}
}

func TestWithoutSlowExpKeepsOtherSettings(t *testing.T) {
	got := WithoutSlowExp([]string{"HOME=/h", "GODEBUG=gctrace=1", "PATH=/bin"})
	want := []string{"HOME=/h", "PATH=/bin", "GODEBUG=gctrace=1,cpu.fma=off"}
	if !slices.Equal(got, want) {
		t.Errorf("WithoutSlowExp = %q, want %q", got, want)
	}
	if got := WithoutSlowExp([]string{"A=1"}); !slices.Equal(got, []string{"A=1", "GODEBUG=cpu.fma=off"}) {
		t.Errorf("WithoutSlowExp without GODEBUG = %q", got)
	}
	for _, env := range [][]string{got, WithoutSlowExp(nil)} {
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, "GODEBUG="); ok && !hasGODEBUG(v, GODEBUGNoFMA) {
				t.Errorf("%q does not turn the trap off", kv)
			}
		}
	}
}

// BenchmarkExpAfterSIMDKernel measures math.Exp per call in a program that also runs the pure-Go
// backend's SIMD matrix products (see GODEBUGNoFMA): the mean over calls made before and after each
// product, whichever OS threads they land on. Compare
//
//	GOEXPERIMENT=simd go test -run '^$' -bench ExpAfterSIMD ./backend/                        (~100–200 ns)
//	GODEBUG=cpu.fma=off GOEXPERIMENT=simd go test -run '^$' -bench ExpAfterSIMD ./backend/    (~10–20 ns)
func BenchmarkExpAfterSIMDKernel(b *testing.B) {
	be, err := Open(Choice{Config: SafeGoConfig})
	if err != nil {
		b.Fatal(err)
	}
	a := tensors.FromShape(shapes.Make(dtypes.Float32, 64, 64))
	matmul := graph.MustNewExec(be, func(x *graph.Node) *graph.Node { return graph.MatMul(x, x) })
	const n = 200_000
	var inExp time.Duration
	for range b.N {
		matmul.MustExec1(a).MustFinalizeAll()
		s, start := 0.0, time.Now()
		for i := range n {
			s += math.Exp(-1 - float64(i%7)*0.01)
		}
		inExp += time.Since(start)
		sinkFloat = s
	}
	b.ReportMetric(float64(inExp.Nanoseconds())/float64(b.N*n), "ns/exp")
}

var sinkFloat float64
