package exercises

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
)

// gradCheckFunction is one test function of exercise 14.1, in plain Go (what the learner's finite
// differences evaluate) and as a graph (what GoMLX differentiates).
type gradCheckFunction struct {
	name  string
	plain func(x []float64) float64
	graph func(x *graph.Node) *graph.Node
	x     []float64
}

// roll returns x shifted left by one, cyclically: x_{(i+1) mod n}.
func roll(x *graph.Node) *graph.Node {
	n := x.Shape().Dim(0)
	return graph.Concatenate([]*graph.Node{graph.Slice(x, graph.AxisRange(1, n)), graph.Slice(x, graph.AxisRange(0, 1))}, 0)
}

var gradCheckFunctions = []gradCheckFunction{
	{
		name: "Σ xᵢ³ − 2·xᵢ·xᵢ₊₁",
		plain: func(x []float64) float64 {
			s := 0.0
			for i, v := range x {
				s += v*v*v - 2*v*x[(i+1)%len(x)]
			}
			return s
		},
		graph: func(x *graph.Node) *graph.Node {
			return graph.ReduceAllSum(graph.Sub(graph.Mul(graph.Mul(x, x), x), graph.MulScalar(graph.Mul(x, roll(x)), 2)))
		},
		x: []float64{0.7, -1.3, 2.1, 0.4, -0.2},
	},
	{
		name: "log Σ exp(xᵢ) + sin(x₀·x₁)",
		plain: func(x []float64) float64 {
			m := slices.Max(x)
			s := 0.0
			for _, v := range x {
				s += math.Exp(v - m)
			}
			return m + math.Log(s) + math.Sin(x[0]*x[1])
		},
		graph: func(x *graph.Node) *graph.Node {
			m := graph.StopGradient(graph.ReduceAllMax(x))
			lse := graph.Add(m, graph.Log(graph.ReduceAllSum(graph.Exp(graph.Sub(x, m)))))
			first := graph.Mul(graph.Slice(x, graph.AxisRange(0, 1)), graph.Slice(x, graph.AxisRange(1, 2)))
			return graph.Add(lse, graph.ReduceAllSum(graph.Sin(first)))
		},
		x: []float64{1.5, -0.5, 0.25, 3, -2, 0.1},
	},
}

// Check14_1 checks exercise 14.1: numericGradient(f, x, h) must return the central differences
// (f(x+h·eᵢ) − f(x−h·eᵢ))/(2h) for every coordinate i, leaving x as it was. With h = 1e-3 they
// agree with GoMLX's automatic differentiation to a relative error ~h² (accepted: ≤ 1e-5); a forward
// difference (f(x+h·eᵢ) − f(x))/h is off by ~h (1e-3) and is judged wrong, as is a result of the
// wrong length or an x changed by the call. A nil result (the blank) is "not answered".
func Check14_1(be compute.Backend, numericGradient func(f func([]float64) float64, x []float64, h float64) []float64) Result {
	const h, tol = 1e-3, 1e-5
	v := newVerdict("14.1")
	ok := true
	for k, fn := range gradCheckFunctions {
		x := slices.Clone(fn.x)
		got := numericGradient(fn.plain, x, h)
		if got == nil && k == 0 {
			return notAnswered("14.1", "实现 numericGradient")
		}
		want := graph.MustExecOnce(be, func(x *graph.Node) *graph.Node { return graph.Gradient(fn.graph(x), x)[0] }, fn.x).Value().([]float64)
		switch {
		case len(got) != len(want):
			v.printf("%s：你返回了 %d 个分量，x 有 %d 个", fn.name, len(got), len(want))
			ok = false
			continue
		case !slices.Equal(x, fn.x):
			v.printf("%s：调用之后 x 变了（%v → %v）：每个坐标加减 h 之后要恢复原值", fn.name, fn.x, x)
			ok = false
			continue
		}
		worst := 0.0
		for i := range want {
			rel := math.Abs(got[i]-want[i]) / math.Max(math.Abs(want[i]), 1e-8)
			if math.IsNaN(rel) {
				rel = math.Inf(1)
			}
			worst = max(worst, rel)
		}
		v.printf("%s：最大相对误差 %.1e（自动微分 %s，你的 %s）", fn.name, worst, short(want), short(got))
		if worst > tol {
			ok = false
			if worst > 1e-4 && worst < 1e-2 {
				v.printf("  误差约为 h = %g 的量级：这是前向差分的误差 O(h)；中心差分 (f(x+h)−f(x−h))/2h 的误差是 O(h²)", h)
			}
		}
	}
	return v.result(ok, fmt.Sprintf("h = %g 时中心差分与自动微分相差约 h² 的量级。", h))
}

// short formats the first three values of a gradient.
func short(g []float64) string {
	n := min(3, len(g))
	s := "["
	for i := range n {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%.4f", g[i])
	}
	if len(g) > n {
		s += " …"
	}
	return s + "]"
}
