package exercises

import (
	"math"
	"testing"

	"github.com/bert2gpt/bert2gpt/transformer/gpt"
	"github.com/gomlx/compute"
)

// Chapter 15's exercises, added to exerciseTests (exercises_test.go) by this file.
func init() {
	for id, e := range ch15Tests {
		exerciseTests[id] = e
	}
}

// refToBFloat16 is exercise 15.4's reference: round to nearest, ties to even, on the float32 bits.
func refToBFloat16(x float32) float32 {
	bits := math.Float32bits(x)
	bits += 0x7FFF + (bits>>16)&1
	return math.Float32frombits(bits &^ 0xFFFF)
}

// refPatches is exercise 15.7's reference.
func refPatches(img []float32, h, w, p int) [][]float32 {
	var out [][]float32
	for py := 0; py < h; py += p {
		for px := 0; px < w; px += p {
			var patch []float32
			for y := py; y < py+p; y++ {
				patch = append(patch, img[y*w+px:y*w+px+p]...)
			}
			out = append(out, patch)
		}
	}
	return out
}

func refGlobalLoss(means []float64, counts []int) float64 {
	var s, n float64
	for i := range means {
		s += means[i] * float64(counts[i])
		n += float64(counts[i])
	}
	return s / n
}

var ch15Tests = map[string]exerciseTest{
	"15.1": {
		blank:        "return 0",
		blankMessage: "练习 15.1：还没有作答——在上一个单元格里实现 myTrainingStateBytes。",
		reference:    answer(func() Result { return Check15_1(func(c gpt.Config) int64 { return 16 * gpt.ParamCount(c) }) }),
		blankAnswer:  answer(func() Result { return Check15_1(func(gpt.Config) int64 { return 0 }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"weights only":       answer(func() Result { return Check15_1(func(c gpt.Config) int64 { return c.WeightBytes() }) }),
			"gradients left out": answer(func() Result { return Check15_1(func(c gpt.Config) int64 { return 12 * gpt.ParamCount(c) }) }),
			"non-embedding only": answer(func() Result { return Check15_1(func(c gpt.Config) int64 { return 16 * gpt.NonEmbeddingParams(c) }) }),
		},
	},
	"15.2": {
		blank:        "return math.NaN()",
		blankMessage: "练习 15.2：还没有作答——在上一个单元格里实现 myGlobalLoss。",
		reference:    answer(func() Result { return Check15_2(refGlobalLoss) }),
		blankAnswer:  answer(func() Result { return Check15_2(func([]float64, []int) float64 { return math.NaN() }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"plain average": answer(func() Result { return Check15_2(func(m []float64, _ []int) float64 { return mean(m) }) }),
			"sum, not mean": answer(func() Result {
				return Check15_2(func(m []float64, c []int) float64 { return refGlobalLoss(m, c) * float64(len(m)) })
			}),
		},
	},
	"15.3": {
		blank:        "return -1",
		blankMessage: "练习 15.3：还没有作答——在上一个单元格里实现 myKeptActivations。",
		reference: answer(func() Result {
			return Check15_3(func(L int, block, input int64, ckpt bool) int64 {
				if ckpt {
					return int64(L)*input + block
				}
				return int64(L) * block
			})
		}),
		blankAnswer: answer(func() Result { return Check15_3(func(int, int64, int64, bool) int64 { return -1 }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"inputs only": answer(func() Result {
				return Check15_3(func(L int, block, input int64, ckpt bool) int64 {
					if ckpt {
						return int64(L) * input
					}
					return int64(L) * block
				})
			}),
			"no saving": answer(func() Result {
				return Check15_3(func(L int, block, _ int64, _ bool) int64 { return int64(L) * block })
			}),
		},
	},
	"15.4": {
		blank:        "return 0",
		blankMessage: "练习 15.4：还没有作答——在上一个单元格里实现 myToBFloat16。",
		reference:    answer(func() Result { return Check15_4(refToBFloat16) }),
		blankAnswer:  answer(func() Result { return Check15_4(func(float32) float32 { return 0 }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"truncation": answer(func() Result {
				return Check15_4(func(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ 0xFFFF) })
			}),
			"ties away from zero": answer(func() Result {
				return Check15_4(func(x float32) float32 {
					return math.Float32frombits((math.Float32bits(x) + 0x8000) &^ 0xFFFF)
				})
			}),
			"no rounding": answer(func() Result { return Check15_4(func(x float32) float32 { return x }) }),
		},
	},
	"15.5": {
		blank:        "return math.NaN()",
		blankMessage: "练习 15.5：还没有作答——在上一个单元格里实现 myMajorityBaseline。",
		reference:    answer(func() Result { return Check15_5(refMajority) }),
		blankAnswer:  answer(func() Result { return Check15_5(func([]int, []int) float64 { return math.NaN() }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"test set's majority": answer(func() Result { return Check15_5(func(_, test []int) float64 { return refMajority(test, test) }) }),
			"uniform guess":       answer(func() Result { return Check15_5(func([]int, []int) float64 { return 1.0 / 7 }) }),
		},
	},
	"15.6": {
		blank:        "return math.NaN()",
		blankMessage: "练习 15.6：还没有作答——在上一个单元格里实现 mySpearman。",
		reference:    answer(func() Result { return Check15_6(func(a, b []float64) float64 { return pearson(ranks(a), ranks(b)) }) }),
		blankAnswer:  answer(func() Result { return Check15_6(func([]float64, []float64) float64 { return math.NaN() }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"Pearson on values": answer(func() Result { return Check15_6(pearson) }),
			"ties not averaged": answer(func() Result {
				return Check15_6(func(a, b []float64) float64 { return pearson(ordinalRanks(a), ordinalRanks(b)) })
			}),
		},
	},
	"15.7": {
		blank:        "return nil",
		blankMessage: "练习 15.7：还没有作答——在上一个单元格里实现 myPatches。",
		reference:    answer(func() Result { return Check15_7(refPatches) }),
		blankAnswer:  answer(func() Result { return Check15_7(func([]float32, int, int, int) [][]float32 { return nil }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"rows of the image": answer(func() Result {
				return Check15_7(func(img []float32, h, w, p int) [][]float32 {
					var out [][]float32
					for y := 0; y < h; y++ {
						out = append(out, img[y*w:(y+1)*w])
					}
					return out
				})
			}),
			"column-major patch order": answer(func() Result {
				return Check15_7(func(img []float32, h, w, p int) [][]float32 {
					var out [][]float32
					for px := 0; px < w; px += p {
						for py := 0; py < h; py += p {
							var patch []float32
							for y := py; y < py+p; y++ {
								patch = append(patch, img[y*w+px:y*w+px+p]...)
							}
							out = append(out, patch)
						}
					}
					return out
				})
			}),
		},
	},
}

// ordinalRanks ranks without averaging ties (first come, first ranked).
func ordinalRanks(xs []float64) []float64 {
	r := ranks(xs)
	seen := map[float64]int{}
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = r[i] - float64(countOf(xs, x)-1)/2 + float64(seen[x])
		seen[x]++
	}
	return out
}

func countOf(xs []float64, x float64) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}
