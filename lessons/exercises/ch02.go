package exercises

import (
	"math/rand/v2"

	"github.com/bert2gpt/bert2gpt/transformer"
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Check2_1 checks exercise 2.1: weights(q, keys) must be the attention weights of one query over
// five keys of width 6 (random, seed 11), compared with transformer.AttentionWeights to 1e-9.
// A nil slice (the blank) is "not answered".
func Check2_1(be compute.Backend, weights func(q []float64, keys [][]float64) []float64) Result {
	rng := rand.New(rand.NewPCG(11, 0))
	q, keys := normalRows(rng, 1, 6, 0, 1), normalRows(rng, 5, 6, 0, 1)
	// One query and the keys as [batch 1, seq, heads 1, width]; the weights come back [1, 1, 1, 5].
	w := graph.MustExecOnce(be, func(q, k *graph.Node) *graph.Node {
		return transformer.AttentionWeights(q, k, nil)
	}, [][][][]float64{oneHead(q)}, [][][][]float64{oneHead(keys)})
	want := w.Value().([][][][]float64)[0][0][0]
	got := weights(q[0], keys)
	switch {
	case got == nil:
		return notAnswered("2.1", "实现 myAttentionWeights")
	case len(got) != len(want):
		return wrong("2.1", "长度不对：得到 %d 个权重，应为 %d 个。", len(got), len(want))
	}
	v := newVerdict("2.1")
	ok := true
	for j := range want {
		if !near(got[j], want[j], 1e-9) {
			v.printf("键 %d：你的权重 %.6f，库函数 %.6f", j, got[j], want[j])
			ok = false
		}
	}
	return v.result(ok, "")
}

// oneHead reads rows [seq][width] as [seq][1 head][width].
func oneHead(rows [][]float64) [][][]float64 {
	out := make([][][]float64, len(rows))
	for i, row := range rows {
		out[i] = [][]float64{row}
	}
	return out
}

// Check2_2 checks exercise 2.2: params(d, h) must be the number of parameters of
// transformer.MultiHeadAttention (four Linear layers with bias), counted in a store after building
// it for d, h = 16, 4 and 768, 12. A negative count for 768, 12 (the blank returns −1) is "not
// answered".
func Check2_2(be compute.Backend, params func(d, h int) int) Result {
	if params(768, 12) < 0 {
		return notAnswered("2.2", "写出 myMHAParams")
	}
	v, ok := newVerdict("2.2"), true
	for _, c := range [][2]int{{16, 4}, {768, 12}} {
		d, h := c[0], c[1]
		store := model.NewStore()
		store.SetParam(model.ParamInitialSeed, int64(7))
		if err := store.SetRNGStateFromSeed(7); err != nil {
			panic(err)
		}
		x := [][][]float32{float32Rows(normalRows(rand.New(rand.NewPCG(1, 1)), 2, d, 0, 1))}
		model.MustCallOnceN(be, store, func(scope *model.Scope, x *graph.Node) []*graph.Node {
			out, w := transformer.MultiHeadAttention(scope, x, x, x, nil, h, 0)
			return []*graph.Node{out, w}
		}, x)
		if want := trainableParams(store); params(d, h) != want {
			v.printf("d=%d, h=%d：你的答案 %d，实际 %d", d, h, params(d, h), want)
			ok = false
		}
	}
	return v.result(ok, "")
}

// trainableParams counts the trainable floating-point parameters in store (not the RNG state).
func trainableParams(store *model.Store) int {
	n := 0
	for v := range store.IterVariables() {
		if v.Trainable && v.DType().IsFloat() {
			n += v.Shape().Size()
		}
	}
	return n
}
