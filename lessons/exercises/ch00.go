package exercises

import (
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
)

// Check0_1 checks exercise 0.1: derivative(x) must be g'(x) for g(x) = x·e^(−x), compared with
// GoMLX's automatic differentiation at x = −1, 0, 0.5, 2, 4 (to 1e-9). A NaN at x = 0 (the blank)
// is "not answered".
func Check0_1(be compute.Backend, derivative func(x float64) float64) Result {
	points := []float64{-1, 0, 0.5, 2, 4}
	want := graph.MustExecOnce(be, gradXExpNegX, points).Value().([]float64)
	if math.IsNaN(derivative(0)) {
		return notAnswered("0.1", "写出 g'(x)")
	}
	v := newVerdict("0.1")
	ok := true
	for i, x := range points {
		if got := derivative(x); !near(got, want[i], 1e-9) {
			v.printf("x=%g：你的 g'(x)=%.6f，自动微分=%.6f", x, got, want[i])
			ok = false
		}
	}
	return v.result(ok, "")
}

// gradXExpNegX is d/dx Σ x·e^(−x), element by element.
func gradXExpNegX(x *graph.Node) *graph.Node {
	g := graph.ReduceAllSum(graph.Mul(x, graph.Exp(graph.Neg(x))))
	return graph.Gradient(g, x)[0]
}
