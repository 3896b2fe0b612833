package exercises

import (
	"fmt"
	"math"
	"slices"

	"github.com/bert2gpt/bert2gpt/transformer/gpt"
)

// Check12_1 checks exercise 12.1: flops(c, T) must equal gpt.FLOPsPerToken on the gpt2, gpt3-175b
// and nanogpt-cpu presets and on chapter 12's L3-d96 model with an odd feed-forward width of 200,
// each at T = 1, 64 and its context length (each T once). 0 for gpt2 at T = 1024 (the blank) is "not answered".
func Check12_1(flops func(c gpt.Config, T int) int64) Result {
	var configs []gpt.Config
	for _, name := range []string{"gpt2", "gpt3-175b", "nanogpt-cpu"} {
		c, err := gpt.Preset(name)
		if err != nil {
			panic(err)
		}
		configs = append(configs, c)
	}
	// Chapter 12's scaleConfig(scaleSize{3, 96, 4}, 65): nanogpt-cpu resized, context 64.
	odd := configs[2]
	odd.VocabSize, odd.NPositions, odd.NLayer, odd.NEmbd, odd.NHead = 65, 64, 3, 96, 4
	odd.NInner = 200
	configs = append(configs, odd)
	if flops(configs[0], 1024) == 0 {
		return notAnswered("12.1", "实现 myFLOPsPerToken")
	}
	v := newVerdict("12.1")
	ok := true
	for _, c := range configs {
		for _, T := range slices.Compact([]int{1, 64, c.NPositions}) { // nanogpt-cpu: NPositions = 64
			if got, want := flops(c, T), gpt.FLOPsPerToken(c, T); got != want {
				v.printf("练习 12.1：不对：L=%d d=%d f=%d V=%d T=%d 时你的结果是 %d，应为 %d。", c.NLayer, c.NEmbd, c.Inner(), c.VocabSize, T, got, want)
				ok = false
			}
		}
	}
	return v.result(ok, "")
}

// Check12_2 checks exercise 12.2: answer must be the factor by which the parameter count grows
// for the loss to fall to 0.9 of itself under Kaplan et al.'s L(N) ∝ N^−0.076, i.e. 0.9^(−1/0.076)
// ≈ 4.0, to 3%. 0 (the blank) is "not answered".
func Check12_2(answer float64) Result {
	want := math.Pow(0.9, -1/0.076)
	switch {
	case answer == 0:
		return notAnswered("12.2", "填写 answer122")
	case math.Abs(answer-want)/want < 0.03:
		return correct("12.2", fmt.Sprintf("约 %.2f 倍：0.9 = (N₁/N₀)^(−0.076)，N₁/N₀ = 0.9^(−1/0.076)。", want))
	}
	return wrong("12.2", "不对。提示：L₁/L₀ = (N₁/N₀)^(−α)，两边取对数。")
}
