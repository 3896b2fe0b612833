package exercises

import (
	"math"
	"math/rand/v2"

	"github.com/bert2gpt/bert2gpt/transformer/bert"
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// Check13_1 checks exercise 13.1: meanPool(hidden, mask) must be sentence-transformers' mean pooling
// of one sentence — the average of the rows of hidden [seq][dim] whose mask is 1, padding left out —
// as bert.MaskedMean computes it on the backend. Three cases: one with two padding rows, one
// without padding, one where the padding rows hold large values (so averaging them in is caught).
// Each value must be within 1e-5. A nil answer (the blank) is "not answered".
func Check13_1(be compute.Backend, meanPool func(hidden [][]float32, mask []int32) []float32) Result {
	rng := rand.New(rand.NewPCG(13, 1))
	cases := []struct {
		hidden [][]float32
		mask   []int32
	}{
		{float32Rows(normalRows(rng, 6, 8, 0, 1)), []int32{1, 1, 1, 1, 0, 0}},
		{float32Rows(normalRows(rng, 5, 8, 0, 1)), []int32{1, 1, 1, 1, 1}},
		{float32Rows(normalRows(rng, 7, 8, 0, 1)), []int32{1, 1, 1, 0, 0, 0, 0}},
	}
	for _, row := range cases[2].hidden[3:] {
		for j := range row {
			row[j] += 50 // padding vectors far from the tokens'
		}
	}
	for i, c := range cases {
		got := meanPool(c.hidden, c.mask)
		if got == nil {
			return notAnswered("13.1", "实现 myMeanPool")
		}
		want := tensors.MustCopyFlatData[float32](graph.MustExecOnce(be, func(h, m *graph.Node) *graph.Node {
			return bert.MaskedMean(h, m)
		}, [][][]float32{c.hidden}, [][]int32{c.mask}))
		if len(got) != len(want) {
			return wrong("13.1", "不对：第 %d 个例子应返回 %d 维向量，你的有 %d 维。", i+1, len(want), len(got))
		}
		for j := range want {
			if !near(float64(got[j]), float64(want[j]), 1e-5) || math.IsNaN(float64(got[j])) {
				return wrong("13.1", "不对：第 %d 个例子（掩码 %v）第 %d 维是 %.4f，应为 %.4f。提示：只对掩码为 1 的行求平均，分母是真实词元的个数。",
					i+1, c.mask, j, got[j], want[j])
			}
		}
	}
	return correct("13.1", "填充位置不参与平均，句向量与批里有多少填充无关。")
}
