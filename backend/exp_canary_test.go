package backend

import (
	"math"
	"testing"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// BenchmarkExpAfterSIMDKernel is the canary of a trap the project used to work around: math.Exp per
// call in a program that also runs the pure-Go backend's SIMD matrix products, the mean over calls
// made after each product, whichever OS threads they land on.
//
// With compute v0.1.2 the AVX-512 kernels returned without VZEROUPPER; on an FMA CPU math.Exp mixes
// VEX and legacy SSE code and then stalled on every call: ~1.2 µs instead of 10 ns, and the nanoGPT
// step with a 9,589-character vocabulary took 8.7 s instead of 0.99 s, unless GODEBUG=cpu.fma=off
// sent math.Exp down its SSE-only path. compute v0.1.14 (AVX-512 host, 3 runs each):
//
//	GOEXPERIMENT=simd go test -run '^$' -bench ExpAfterSIMD ./backend/                        13.8–19.2 ns/exp
//	GODEBUG=cpu.fma=off GOEXPERIMENT=simd go test -run '^$' -bench ExpAfterSIMD ./backend/    19.2–20.2 ns/exp
//
// so the setting is gone from the project. If an upgrade brings back ~100 ns or more without it,
// the trap is back.
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
