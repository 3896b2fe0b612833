package exercises

import (
	"math"
	"slices"
)

// Check7_1 checks exercise 7.1: expectedCounts(1000) must give the expected numbers of tokens
// selected, replaced by [MASK], replaced by a random token and kept, under BERT's rule (select 15%;
// of those 80% [MASK], 10% random, 10% unchanged — datasets.MaskConfig's defaults): 150, 120, 15,
// 15, to 1e-6. Any NaN (the blank returns four) is "not answered".
func Check7_1(expectedCounts func(n int) (selected, masked, random, kept float64)) Result {
	sel, msk, rnd, kpt := expectedCounts(1000)
	want := []float64{150, 120, 15, 15}
	got := []float64{sel, msk, rnd, kpt}
	switch {
	case slices.ContainsFunc(got, math.IsNaN):
		return notAnswered("7.1", "实现 expectedCounts")
	case !slices.EqualFunc(got, want, func(a, b float64) bool { return near(a, b, 1e-6) }):
		return wrong("7.1", "不对。n = 1000 时你的答案是 %v，应为 %v（选中、[MASK]、随机、不变）。", got, want)
	}
	return correct("7.1", "")
}
