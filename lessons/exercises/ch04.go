package exercises

import (
	"math/rand/v2"

	"github.com/bert2gpt/bert2gpt/transformer"
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Check4_1 checks exercise 4.1: layerNorm(x, eps) must equal transformer.LayerNorm with its initial
// gain 1 and bias 0 (eps = 1e-5) on three random rows of width 10 (mean 2, std 3, seed 5), to 1e-9.
// A nil result for the first row (the blank) is "not answered".
func Check4_1(be compute.Backend, layerNorm func(x []float64, eps float64) []float64) Result {
	x := normalRows(rand.New(rand.NewPCG(5, 0)), 3, 10, 2, 3)
	want := model.MustCallOnce(be, model.NewStore(), func(scope *model.Scope, x *graph.Node) *graph.Node {
		return transformer.LayerNorm(scope, x, 1e-5)
	}, x).Value().([][]float64)
	if layerNorm(x[0], 1e-5) == nil {
		return notAnswered("4.1", "实现 myLayerNorm")
	}
	v := newVerdict("4.1")
	ok := true
	for i := range x {
		got := layerNorm(x[i], 1e-5)
		for j := range want[i] {
			if len(got) != len(want[i]) || !near(got[j], want[i][j], 1e-9) {
				v.printf("第 %d 行：你的结果 %.4f\n          应为     %.4f", i, got, want[i])
				ok = false
				break
			}
		}
	}
	return v.result(ok, "")
}
