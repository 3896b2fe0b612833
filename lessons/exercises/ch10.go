package exercises

import (
	"math"
	"slices"
)

// Check10_1 checks exercise 10.1: nucleusSize(probs, p) must be the smallest m with
// probs[0] + … + probs[m−1] ≥ p (the tokens top-p keeps, as gpt.Sample and chapter 10's
// nucleusSize count them) on five distributions sorted in decreasing order. The blank returns −1
// everywhere: "not answered".
func Check10_1(nucleusSize func(probs []float64, p float64) int) Result {
	cases := []struct {
		probs []float64
		p     float64
	}{
		{[]float64{0.5, 0.3, 0.2}, 0.5},
		{[]float64{0.5, 0.3, 0.2}, 0.81},
		{[]float64{0.9, 0.05, 0.05}, 0.9},
		{[]float64{0.25, 0.25, 0.25, 0.25}, 0.6},
		{softmax([]float32{3, 2.5, 1, 0.2, -1, -4}), 0.95},
	}
	v := newVerdict("10.1")
	answered, ok := false, true
	for _, c := range cases {
		got, want := nucleusSize(c.probs, c.p), keptByTopP(c.probs, c.p)
		if got != -1 {
			answered = true
		}
		if got != want {
			ok = false
			if got != -1 {
				v.printf("p=%.2f、probs=%.3f：应保留 %d 个，你的答案是 %d。", c.p, c.probs, want, got)
			}
		}
	}
	switch {
	case !answered:
		return notAnswered("10.1", "实现 myNucleusSize")
	case !ok:
		v.printf("练习 10.1：不对。提示：从第一个开始累加，累计和第一次 ≥ p 时就停下（包括这一个）。")
	}
	return v.result(ok, "")
}

// keptByTopP is the number of tokens top-p keeps from probs sorted in decreasing order: the
// prefix up to and including the first whose cumulative sum reaches p (all of them if none does).
func keptByTopP(sorted []float64, p float64) int {
	cum := 0.0
	for i, q := range sorted {
		cum += q
		if cum >= p {
			return i + 1
		}
	}
	return len(sorted)
}

// softmax returns exp(z_i − max z) / Σ_j exp(z_j − max z), in float64 (logits are float32, as
// in chapter 10's softmaxT).
func softmax(z []float32) []float64 {
	maxZ := float64(slices.Max(z))
	p := make([]float64, len(z))
	sum := 0.0
	for i, x := range z {
		p[i] = math.Exp(float64(x) - maxZ)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}
