package backend

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// BenchmarkMatMulF32 measures this machine's float32 matmul throughput on the project's backend
// (GOMLX_BACKEND to pick one): C = A·B with A, B of size n×n, 2·n³ floating-point operations.
// scripts/bench/train_step.py divides a training step's model FLOP/s by this to get the MFU.
//
//	GOEXPERIMENT=simd go test -run '^$' -bench MatMulF32 ./backend/
func BenchmarkMatMulF32(b *testing.B) {
	be, err := New()
	if err != nil {
		b.Fatal(err)
	}
	const n = 1024
	a := tensors.FromShape(shapes.Make(dtypes.Float32, n, n))
	tensors.MutableFlatData(a, func(flat []float32) {
		for i := range flat {
			flat[i] = float32(i%7) * 0.1
		}
	})
	exec := graph.MustNewExec(be, func(x *graph.Node) *graph.Node {
		return graph.ReduceAllSum(graph.MatMul(x, x)) // reducing keeps the device→host copy tiny
	})
	exec.MustExec1(a).MustFinalizeAll() // compile outside the timed loop
	b.ResetTimer()
	for range b.N {
		exec.MustExec1(a).MustFinalizeAll()
	}
	b.ReportMetric(2*n*n*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkMatVecF32 is the matrix product that dominates generation with a KV cache: one token's
// activations x [1, 384] times a weight stored as PyTorch's nn.Linear does, W [1152, 384]
// (out × in, so y = x·Wᵀ; the 6×384 model's fused q/k/v projection). It reads 1.77 MB of weights
// for 0.88 MFLOP, so it is bound by memory bandwidth, not by arithmetic: GB/s is the figure to
// compare with the machine's bandwidth (a copy benchmark), GFLOP/s is only for reference.
//
//	GOEXPERIMENT=simd GOMLX_BACKEND=go go test -run '^$' -bench MatVecF32 ./backend/
func BenchmarkMatVecF32(b *testing.B) {
	benchMatVec(b, func(x, w *graph.Node) *graph.Node {
		return graph.Einsum("bi,oi->bo", x, w) // x·Wᵀ, contracting both operands' last axis
	})
}

// BenchmarkMatVecWeightLeft is BenchmarkMatVecF32's product written as (W·xᵀ)ᵀ: the same numbers,
// but with W as the left operand compute v0.1.14's Go backend streams it about 1.8× faster
// (transformer.LinearWithInit uses this form for a few rows on that backend).
func BenchmarkMatVecWeightLeft(b *testing.B) {
	benchMatVec(b, func(x, w *graph.Node) *graph.Node {
		return graph.Transpose(graph.Einsum("oi,bi->ob", w, x), 0, 1) // (W·xᵀ)ᵀ = x·Wᵀ
	})
}

// benchMatVec times product(x [1, 384], W [1152, 384]) and reports the weight bytes streamed per
// second and GFLOP/s.
func benchMatVec(b *testing.B, product func(x, w *graph.Node) *graph.Node) {
	be, err := New()
	if err != nil {
		b.Fatal(err)
	}
	const in, out = 384, 1152
	x := tensors.FromShape(shapes.Make(dtypes.Float32, 1, in))
	w := tensors.FromShape(shapes.Make(dtypes.Float32, out, in))
	tensors.MutableFlatData(w, func(flat []float32) {
		for i := range flat {
			flat[i] = float32(i%7) * 0.1
		}
	})
	exec := graph.MustNewExec(be, product)
	exec.MustExec1(x, w).MustFinalizeAll()
	b.ResetTimer()
	for range b.N {
		exec.MustExec1(x, w).MustFinalizeAll()
	}
	s := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(4*in*out/s/1e9, "GB/s")
	b.ReportMetric(2*in*out/s/1e9, "GFLOP/s")
}
