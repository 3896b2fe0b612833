package backend

import (
	"math"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// TestFusedGeluTanhGradientIsWrong is the canary of an upstream bug the library works around:
// compute v0.1.14's pure-Go FusedActivationVJP for ActivationGeluApproximate (the tanh GELU of
// GPT-2) returns a wrong gradient, while its forward value and the exact GELU's gradient are
// right. Minimal reproduction (pure-Go backend, float32, x = [-2, -1, -0.5, 0, 0.5, 1, 2]):
//
//	y := graph.BackendFusedActivation(x, compute.ActivationConfig{Type: compute.ActivationGeluApproximate})
//	graph.Gradient(graph.ReduceAllSum(y), x)
//	→ [-9.8e-06 -0.0830 0.2381 … 0.7619 1.083 1]; the formula's gradient is [-0.0861 -0.0830 0.1326 … 0.8674 1.083 1.086]
//
// So transformer.Activation.Apply uses the fused kernel for GELU (erf) only and writes GeluTanh as
// a formula. When this test fails, the bug is fixed: let GELUTanh take the fused kernel too.
func TestFusedGeluTanhGradientIsWrong(t *testing.T) {
	be, err := Open(Choice{Config: SafeGoConfig})
	if err != nil {
		t.Fatal(err)
	}
	xs := []float32{-2, -1, -0.5, 0, 0.5, 1, 2}
	outs := graph.MustExecOnceN(be, func(x *graph.Node) []*graph.Node {
		fused := graph.BackendFusedActivation(x, compute.ActivationConfig{Type: compute.ActivationGeluApproximate})
		inner := graph.MulScalar(graph.Add(x, graph.MulScalar(graph.Mul(graph.Square(x), x), 0.044715)), math.Sqrt(2/math.Pi))
		formula := graph.Mul(graph.MulScalar(x, 0.5), graph.AddScalar(graph.Tanh(inner), 1))
		return []*graph.Node{
			graph.Gradient(graph.ReduceAllSum(fused), x)[0],
			graph.Gradient(graph.ReduceAllSum(formula), x)[0],
			fused, formula,
		}
	}, xs)
	gradFused, gradFormula := tensors.MustCopyFlatData[float32](outs[0]), tensors.MustCopyFlatData[float32](outs[1])
	valFused, valFormula := tensors.MustCopyFlatData[float32](outs[2]), tensors.MustCopyFlatData[float32](outs[3])
	worstGrad, worstVal := 0.0, 0.0
	for i := range xs {
		worstGrad = max(worstGrad, math.Abs(float64(gradFused[i]-gradFormula[i])))
		worstVal = max(worstVal, math.Abs(float64(valFused[i]-valFormula[i])))
	}
	if worstVal > 1e-5 {
		t.Errorf("the fused tanh GELU's value differs from the formula by %.3g: a new bug?", worstVal)
	}
	if worstGrad < 1e-3 {
		t.Fatalf("the fused tanh GELU's gradient now agrees with the formula (max |Δ| %.2g): the upstream bug is "+
			"fixed; use the fused kernel for GELUTanh in transformer.Activation.Apply and delete this canary", worstGrad)
	}
	t.Logf("fused tanh GELU gradient still wrong: max |Δ| = %.3f (fused %v, formula %v)", worstGrad, gradFused, gradFormula)
}

// TestVariableFeedingNoOutput guards a crash the project worked around on compute v0.1.2: the pure-Go
// backend panicked ("index out of range") on a graph that read a variable whose value fed no output,
// e.g. an encoder-only executable on a store that also holds a BERT MLM head. compute v0.1.14 runs
// it (also an encoder-only bert.Encode exec on a pre-training model's store), so no workaround is
// needed; this test fails if it comes back.
func TestVariableFeedingNoOutput(t *testing.T) {
	for _, config := range []string{SafeGoConfig, ""} {
		be, err := Open(Choice{Config: config})
		if err != nil {
			t.Fatal(err)
		}
		store := model.NewStore()
		fn := func(scope *model.Scope, x *graph.Node) *graph.Node {
			unused := scope.In("unused").VariableWithShape("w", shapes.Make(dtypes.Float32, 4, 8)).NodeValue(x.Graph())
			_ = graph.MatMul(x, unused) // computed from a variable, feeds no output
			used := scope.In("used").VariableWithValue("w", [][]float32{{1}, {2}, {3}, {4}}).NodeValue(x.Graph())
			return graph.MatMul(x, used)
		}
		for call := range 2 { // the second call runs the cached executable
			out, err := model.ExecOnce(be, store, fn, [][]float32{{1, 1, 1, 1}})
			if err != nil {
				t.Fatalf("backend %q, call %d: %v", config, call, err)
			}
			if got := out.Value().([][]float32)[0][0]; got != 10 {
				t.Fatalf("backend %q, call %d: got %v, want 10", config, call, got)
			}
		}
	}
}
