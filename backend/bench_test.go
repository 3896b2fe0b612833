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
