package exercises

import (
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/bert2gpt/bert2gpt/datasets"
	"github.com/bert2gpt/bert2gpt/transformer/gpt"
	"github.com/gomlx/compute"
)

// An exerciseTest runs one checker on three kinds of answer: the reference solution (must be
// Correct), the blank the lesson ships (must be not Answered, with message blankMessage) and
// plausible wrong answers (must be Answered but not Correct). blank is the placeholder statement of
// the lesson's blank cell: TestLessonsCallTheCheckers checks that the lesson still ships it.
type exerciseTest struct {
	blank        string
	blankMessage string
	reference    func(t *testing.T, be compute.Backend) Result
	blankAnswer  func(t *testing.T, be compute.Backend) Result
	wrong        map[string]func(t *testing.T, be compute.Backend) Result
}

var testBackend = sync.OnceValues(func() (compute.Backend, error) {
	backend.Log = io.Discard
	return backend.New()
})

func newBackend(t *testing.T) compute.Backend {
	t.Helper()
	be, err := testBackend()
	if err != nil {
		t.Fatalf("backend.New: %v", err)
	}
	return be
}

// requireShakespeare points the fetcher at the shared data directory (when $BERT2GPT_DATA_DIR is
// not set), forbids downloads, and skips the test when TinyShakespeare is not on this machine.
func requireShakespeare(t *testing.T) {
	t.Helper()
	if os.Getenv(datasets.EnvDataDir) == "" {
		if wd, err := os.Getwd(); err == nil {
			// lessons/exercises → the module root's sibling shared/data, as CI lays it out.
			if d := filepath.Join(wd, "..", "..", "..", "shared", "data"); dirExists(d) {
				t.Setenv(datasets.EnvDataDir, d)
			}
		}
	}
	t.Setenv(datasets.EnvOffline, "1")
	if _, err := datasets.TinyShakespeare(context.Background()); err != nil {
		t.Skipf("skipping: TinyShakespeare is not available offline: %v", err)
	}
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// answer wraps a checker call that needs no backend.
func answer(f func() Result) func(*testing.T, compute.Backend) Result {
	return func(*testing.T, compute.Backend) Result { return f() }
}

// withBackend wraps a checker call that needs the backend.
func withBackend(f func(be compute.Backend) Result) func(*testing.T, compute.Backend) Result {
	return func(_ *testing.T, be compute.Backend) Result { return f(be) }
}

// nanSlice returns n NaNs: an answer that overflowed somewhere.
func nanSlice(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}

// ---- Reference solutions (what a learner would write in the blank cell) and wrong answers. ----

func refDerivative(x float64) float64 { return math.Exp(-x) * (1 - x) }

func refGPTParams(L, d, V, P int64) int64 { return V*d + P*d + L*(12*d*d+13*d) + 2*d }

func refAttentionWeights(q []float64, keys [][]float64) []float64 {
	scores := make([]float64, len(keys))
	for j, k := range keys {
		for i := range q {
			scores[j] += q[i] * k[i]
		}
		scores[j] /= math.Sqrt(float64(len(q)))
	}
	return softmaxF64(scores)
}

func softmaxF64(z []float64) []float64 {
	m := slices.Max(z)
	out, sum := make([]float64, len(z)), 0.0
	for i, x := range z {
		out[i] = math.Exp(x - m)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

func refSinusoidal(pos, j, d int) float64 {
	angle := float64(pos) / math.Pow(10000, float64(j-j%2)/float64(d))
	if j%2 == 0 {
		return math.Sin(angle)
	}
	return math.Cos(angle)
}

// rotationBlocks is chapter 3's shiftMatrix: M_k, block-diagonal rotations R(ω_i·k).
func rotationBlocks(k, d int) [][]float64 {
	m := make([][]float64, d)
	for r := range m {
		m[r] = make([]float64, d)
	}
	for i := range d / 2 {
		angle := float64(k) / math.Pow(10000, float64(2*i)/float64(d))
		c, s := math.Cos(angle), math.Sin(angle)
		m[2*i][2*i], m[2*i][2*i+1] = c, s
		m[2*i+1][2*i], m[2*i+1][2*i+1] = -s, c
	}
	return m
}

func refLayerNorm(x []float64, eps float64) []float64 {
	return layerNormDiv(x, eps, float64(len(x)))
}

// layerNormDiv normalises x with the variance Σ(x−μ)²/div.
func layerNormDiv(x []float64, eps, div float64) []float64 {
	mean := 0.0
	for _, v := range x {
		mean += v / float64(len(x))
	}
	variance := 0.0
	for _, v := range x {
		variance += (v - mean) * (v - mean) / div
	}
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = (v - mean) / math.Sqrt(variance+eps)
	}
	return out
}

func refTeacherForcing(target []int32, bos, eos int32) (decoderInput, labels []int32) {
	return append([]int32{bos}, target...), append(slices.Clone(target), eos)
}

// pairCounts counts adjacent pairs, each word weighted by weight(i).
func pairCounts(words [][]string, weight func(i int) int) map[[2]string]int {
	counts := map[[2]string]int{}
	for i, w := range words {
		for j := 0; j+1 < len(w); j++ {
			counts[[2]string{w[j], w[j+1]}] += weight(i)
		}
	}
	return counts
}

// mostCounted returns the pair with the highest count (ties: the smallest pair, for determinism).
func mostCounted(counts map[[2]string]int) (a, b string) {
	keys := make([][2]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i][0]+"\x00"+keys[i][1] < keys[j][0]+"\x00"+keys[j][1]
	})
	return keys[0][0], keys[0][1]
}

func refMostFrequentPair(words [][]string, freq []int) (a, b string) {
	return mostCounted(pairCounts(words, func(i int) int { return freq[i] }))
}

// refMeanPool is exercise 13.1's reference: the average of the rows whose mask is 1.
func refMeanPool(hidden [][]float32, mask []int32) []float32 {
	out := make([]float32, len(hidden[0]))
	n := float32(0)
	for i, row := range hidden {
		if mask[i] == 1 {
			n++
			for j, x := range row {
				out[j] += x
			}
		}
	}
	for j := range out {
		out[j] /= n
	}
	return out
}

func make1s(n int) []int32 {
	m := make([]int32, n)
	for i := range m {
		m[i] = 1
	}
	return m
}

func refCausalMask(T int) [][]bool {
	return maskWhere(T, func(i, j int) bool { return j <= i })
}

func maskWhere(T int, allowed func(i, j int) bool) [][]bool {
	m := make([][]bool, T)
	for i := range m {
		m[i] = make([]bool, T)
		for j := range m[i] {
			m[i][j] = allowed(i, j)
		}
	}
	return m
}

func refNucleusSize(probs []float64, p float64) int {
	cum := 0.0
	for i, q := range probs {
		cum += q
		if cum >= p {
			return i + 1
		}
	}
	return len(probs)
}

// hitsSplitting counts the verses that start with their head, verses split at the runes in seps.
func hitsSplitting(poem string, heads []rune, seps string) int {
	verses := strings.FieldsFunc(poem, func(r rune) bool { return strings.ContainsRune(seps, r) })
	n := 0
	for k, v := range verses {
		if k < len(heads) && []rune(v)[0] == heads[k] {
			n++
		}
	}
	return n
}

func refHits(poem string, heads []rune) int { return hitsSplitting(poem, heads, "，。？！；\n") }

func refFLOPsPerToken(c gpt.Config, T int) int64 {
	L, d, f, V, t := int64(c.NLayer), int64(c.NEmbd), int64(c.Inner()), int64(c.VocabSize), int64(T)
	forward := L*(2*d*3*d+2*d*d+2*d*f+2*f*d) + L*4*t*d + 2*d*V
	return 3 * forward
}

var exerciseTests = map[string]exerciseTest{
	"0.1": {
		blank:        "return math.NaN()",
		blankMessage: "练习 0.1：还没有作答——在上一个单元格里写出 g'(x)。",
		reference:    withBackend(func(be compute.Backend) Result { return Check0_1(be, refDerivative) }),
		blankAnswer:  withBackend(func(be compute.Backend) Result { return Check0_1(be, func(float64) float64 { return math.NaN() }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"sign of x in (1+x)": withBackend(func(be compute.Backend) Result {
				return Check0_1(be, func(x float64) float64 { return math.Exp(-x) * (1 + x) })
			}),
			"NaN except at 0": withBackend(func(be compute.Backend) Result {
				return Check0_1(be, func(x float64) float64 {
					if x == 0 {
						return 1
					}
					return math.NaN()
				})
			}),
		},
	},
	"1.1": {
		blank:        "return -1",
		blankMessage: "练习 1.1：还没有作答——在上一个单元格里写出 myGPTParams。",
		reference:    answer(func() Result { return Check1_1(refGPTParams) }),
		blankAnswer:  answer(func() Result { return Check1_1(func(L, d, V, P int64) int64 { return -1 }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"untied output layer": answer(func() Result {
				return Check1_1(func(L, d, V, P int64) int64 { return refGPTParams(L, d, V, P) + V*d })
			}),
			"no position embeddings": answer(func() Result {
				return Check1_1(func(L, d, V, P int64) int64 { return refGPTParams(L, d, V, P) - P*d })
			}),
		},
	},
	"2.1": {
		blank:        "return nil",
		blankMessage: "练习 2.1：还没有作答——在上一个单元格里实现 myAttentionWeights。",
		reference:    withBackend(func(be compute.Backend) Result { return Check2_1(be, refAttentionWeights) }),
		blankAnswer: withBackend(func(be compute.Backend) Result {
			return Check2_1(be, func([]float64, [][]float64) []float64 { return nil })
		}),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"not scaled by √d_k": withBackend(func(be compute.Backend) Result {
				return Check2_1(be, func(q []float64, keys [][]float64) []float64 {
					scores := make([]float64, len(keys))
					for j, k := range keys {
						for i := range q {
							scores[j] += q[i] * k[i]
						}
					}
					return softmaxF64(scores)
				})
			}),
			"one weight short": withBackend(func(be compute.Backend) Result {
				return Check2_1(be, func(q []float64, keys [][]float64) []float64 { return refAttentionWeights(q, keys)[1:] })
			}),
			"NaN": withBackend(func(be compute.Backend) Result {
				return Check2_1(be, func(q []float64, keys [][]float64) []float64 { return nanSlice(len(keys)) })
			}),
		},
	},
	"2.2": {
		blank:        "return -1",
		blankMessage: "练习 2.2：还没有作答——在上一个单元格里写出 myMHAParams。",
		reference:    withBackend(func(be compute.Backend) Result { return Check2_2(be, func(d, h int) int { return 4 * (d*d + d) }) }),
		blankAnswer:  withBackend(func(be compute.Backend) Result { return Check2_2(be, func(d, h int) int { return -1 }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"no biases": withBackend(func(be compute.Backend) Result { return Check2_2(be, func(d, h int) int { return 4 * d * d }) }),
			"per-head projections d×d/h counted once": withBackend(func(be compute.Backend) Result {
				return Check2_2(be, func(d, h int) int { return 3*(d*d/h+d/h) + d*d + d })
			}),
		},
	},
	"3.1": {
		blank:        "return math.NaN()",
		blankMessage: "练习 3.1：还没有作答——在上一个单元格里实现 mySinusoidal。",
		reference:    answer(func() Result { return Check3_1(refSinusoidal) }),
		blankAnswer:  answer(func() Result { return Check3_1(func(pos, j, d int) float64 { return math.NaN() }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"exponent j/d instead of 2i/d": answer(func() Result {
				return Check3_1(func(pos, j, d int) float64 {
					angle := float64(pos) / math.Pow(10000, float64(j)/float64(d))
					if j%2 == 0 {
						return math.Sin(angle)
					}
					return math.Cos(angle)
				})
			}),
			"sin and cos swapped": answer(func() Result {
				return Check3_1(func(pos, j, d int) float64 { return refSinusoidal(pos, j^1, d) })
			}),
		},
	},
	"3.2": {
		blank:        "return nil",
		blankMessage: "练习 3.2：还没有作答——在上一个单元格里实现 myInverseShift。",
		reference:    answer(func() Result { return Check3_2(func(k, d int) [][]float64 { return rotationBlocks(-k, d) }) }),
		blankAnswer:  answer(func() Result { return Check3_2(func(k, d int) [][]float64 { return nil }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"M_k instead of its inverse": answer(func() Result { return Check3_2(rotationBlocks) }),
			"ragged rows": answer(func() Result {
				return Check3_2(func(k, d int) [][]float64 {
					m := rotationBlocks(-k, d)
					m[5] = m[5][:d-1]
					return m
				})
			}),
			"one row short": answer(func() Result {
				return Check3_2(func(k, d int) [][]float64 { return rotationBlocks(-k, d)[1:] })
			}),
		},
	},
	"4.1": {
		blank:        "return nil",
		blankMessage: "练习 4.1：还没有作答——在上一个单元格里实现 myLayerNorm。",
		reference:    withBackend(func(be compute.Backend) Result { return Check4_1(be, refLayerNorm) }),
		blankAnswer: withBackend(func(be compute.Backend) Result {
			return Check4_1(be, func([]float64, float64) []float64 { return nil })
		}),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"unbiased variance": withBackend(func(be compute.Backend) Result {
				return Check4_1(be, func(x []float64, eps float64) []float64 { return layerNormDiv(x, eps, float64(len(x)-1)) })
			}),
			"NaN": withBackend(func(be compute.Backend) Result {
				return Check4_1(be, func(x []float64, eps float64) []float64 { return nanSlice(len(x)) })
			}),
			"one element short": withBackend(func(be compute.Backend) Result {
				return Check4_1(be, func(x []float64, eps float64) []float64 { return refLayerNorm(x, eps)[1:] })
			}),
		},
	},
	"5.1": {
		blank:        "return nil, nil",
		blankMessage: "练习 5.1：还没有作答——在上一个单元格里实现 teacherForcing。",
		reference:    answer(func() Result { return Check5_1(refTeacherForcing) }),
		blankAnswer:  answer(func() Result { return Check5_1(func([]int32, int32, int32) ([]int32, []int32) { return nil, nil }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"labels without <eos>": answer(func() Result {
				return Check5_1(func(target []int32, bos, eos int32) ([]int32, []int32) {
					in, _ := refTeacherForcing(target, bos, eos)
					return in, append(slices.Clone(target), 0)
				})
			}),
			"input and labels swapped": answer(func() Result {
				return Check5_1(func(target []int32, bos, eos int32) ([]int32, []int32) {
					in, labels := refTeacherForcing(target, bos, eos)
					return labels, in
				})
			}),
		},
	},
	"6.1": {
		blank:        `return "", ""`,
		blankMessage: "练习 6.1：还没有作答——在上一个单元格里实现 myMostFrequentPair。",
		reference: func(t *testing.T, _ compute.Backend) Result {
			requireShakespeare(t)
			return Check6_1(refMostFrequentPair)
		},
		blankAnswer: func(t *testing.T, _ compute.Backend) Result {
			requireShakespeare(t)
			return Check6_1(func([][]string, []int) (string, string) { return "", "" })
		},
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"frequencies ignored": func(t *testing.T, _ compute.Backend) Result {
				requireShakespeare(t)
				return Check6_1(func(words [][]string, freq []int) (string, string) {
					return mostCounted(pairCounts(words, func(int) int { return 1 }))
				})
			},
			"least frequent pair": func(t *testing.T, _ compute.Backend) Result {
				requireShakespeare(t)
				return Check6_1(func(words [][]string, freq []int) (string, string) {
					return mostCounted(pairCounts(words, func(i int) int { return -freq[i] }))
				})
			},
		},
	},
	"7.1": {
		blank:        "return math.NaN(), math.NaN(), math.NaN(), math.NaN()",
		blankMessage: "练习 7.1：还没有作答——在上一个单元格里实现 expectedCounts。",
		reference: answer(func() Result {
			return Check7_1(func(n int) (float64, float64, float64, float64) {
				sel := 0.15 * float64(n)
				return sel, 0.8 * sel, 0.1 * sel, 0.1 * sel
			})
		}),
		blankAnswer: answer(func() Result {
			return Check7_1(func(int) (float64, float64, float64, float64) {
				return math.NaN(), math.NaN(), math.NaN(), math.NaN()
			})
		}),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"80/10/10 of all tokens": answer(func() Result {
				return Check7_1(func(n int) (float64, float64, float64, float64) {
					return 0.15 * float64(n), 0.8 * float64(n), 0.1 * float64(n), 0.1 * float64(n)
				})
			}),
		},
	},
	"8.1": {
		blank:        "return -1, -1",
		blankMessage: "练习 8.1：还没有作答——在上一个单元格里实现 headParams。",
		reference:    answer(func() Result { return Check8_1(func(H, K int) (int, int) { return K*H + K, H*H + H }) }),
		blankAnswer:  answer(func() Result { return Check8_1(func(H, K int) (int, int) { return -1, -1 }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"no biases":                 answer(func() Result { return Check8_1(func(H, K int) (int, int) { return K * H, H * H }) }),
			"only H=128, K=2 memorised": answer(func() Result { return Check8_1(func(H, K int) (int, int) { return 258, 16512 }) }),
		},
	},
	"9.1": {
		blank:        "return nil",
		blankMessage: "练习 9.1：还没有作答——在上一个单元格里实现 myCausalMask。",
		reference:    withBackend(func(be compute.Backend) Result { return Check9_1(be, refCausalMask) }),
		blankAnswer:  withBackend(func(be compute.Backend) Result { return Check9_1(be, func(int) [][]bool { return nil }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"diagonal excluded": withBackend(func(be compute.Backend) Result {
				return Check9_1(be, func(T int) [][]bool { return maskWhere(T, func(i, j int) bool { return j < i }) })
			}),
			"transposed": withBackend(func(be compute.Backend) Result {
				return Check9_1(be, func(T int) [][]bool { return maskWhere(T, func(i, j int) bool { return j >= i }) })
			}),
			"one row short": withBackend(func(be compute.Backend) Result {
				return Check9_1(be, func(T int) [][]bool { return refCausalMask(T)[1:] })
			}),
			"rows one too long": withBackend(func(be compute.Backend) Result {
				return Check9_1(be, func(T int) [][]bool { return maskWhere(T+1, func(i, j int) bool { return j <= i })[:T] })
			}),
		},
	},
	"10.1": {
		blank:        "return -1",
		blankMessage: "练习 10.1：还没有作答——在上一个单元格里实现 myNucleusSize。",
		reference:    answer(func() Result { return Check10_1(refNucleusSize) }),
		blankAnswer:  answer(func() Result { return Check10_1(func([]float64, float64) int { return -1 }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"stops when the sum exceeds p (> instead of ≥)": answer(func() Result {
				return Check10_1(func(probs []float64, p float64) int {
					cum := 0.0
					for i, q := range probs {
						if cum += q; cum > p {
							return i + 1
						}
					}
					return len(probs)
				})
			}),
			"excludes the token that reaches p": answer(func() Result {
				return Check10_1(func(probs []float64, p float64) int { return refNucleusSize(probs, p) - 1 })
			}),
		},
	},
	"11.1": {
		blank:        "return -1",
		blankMessage: "练习 11.1：还没有作答——在上一个单元格里实现 myHits。",
		reference:    answer(func() Result { return Check11_1(refHits) }),
		blankAnswer:  answer(func() Result { return Check11_1(func(string, []rune) int { return -1 }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"split only at ，。 and newlines": answer(func() Result {
				return Check11_1(func(poem string, heads []rune) int { return hitsSplitting(poem, heads, "，。\n") })
			}),
			"lines instead of verses": answer(func() Result {
				return Check11_1(func(poem string, heads []rune) int { return hitsSplitting(poem, heads, "\n") })
			}),
		},
	},
	"12.1": {
		blank:        "return 0",
		blankMessage: "练习 12.1：还没有作答——在上一个单元格里实现 myFLOPsPerToken。",
		reference:    answer(func() Result { return Check12_1(refFLOPsPerToken) }),
		blankAnswer:  answer(func() Result { return Check12_1(func(gpt.Config, int) int64 { return 0 }) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"assumes f = 4d": answer(func() Result {
				return Check12_1(func(c gpt.Config, T int) int64 {
					L, d, V, t := int64(c.NLayer), int64(c.NEmbd), int64(c.VocabSize), int64(T)
					return 6*(12*L*d*d+d*V) + 12*L*t*d
				})
			}),
			"LM head forgotten": answer(func() Result {
				return Check12_1(func(c gpt.Config, T int) int64 {
					return refFLOPsPerToken(c, T) - 6*int64(c.NEmbd)*int64(c.VocabSize)
				})
			}),
		},
	},
	"12.2": {
		blank:        "var answer122 = 0.0",
		blankMessage: "练习 12.2：还没有作答——在上一个单元格里填写 answer122。",
		reference:    answer(func() Result { return Check12_2(4.0) }),
		blankAnswer:  answer(func() Result { return Check12_2(0.0) }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"0.9^(−0.076)":       answer(func() Result { return Check12_2(math.Pow(0.9, -0.076)) }),
			"0.1/0.076 (linear)": answer(func() Result { return Check12_2(0.1 / 0.076) }),
			"NaN":                answer(func() Result { return Check12_2(math.NaN()) }),
		},
	},
	"13.1": {
		blank:        "return nil",
		blankMessage: "练习 13.1：还没有作答——在上一个单元格里实现 myMeanPool。",
		reference:    withBackend(func(be compute.Backend) Result { return Check13_1(be, refMeanPool) }),
		blankAnswer: withBackend(func(be compute.Backend) Result {
			return Check13_1(be, func([][]float32, []int32) []float32 { return nil })
		}),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"padding averaged in": withBackend(func(be compute.Backend) Result {
				return Check13_1(be, func(h [][]float32, m []int32) []float32 { return refMeanPool(h, make1s(len(m))) })
			}),
			"divided by the sequence length": withBackend(func(be compute.Backend) Result {
				return Check13_1(be, func(h [][]float32, m []int32) []float32 {
					v := refMeanPool(h, m)
					n := 0
					for _, x := range m {
						n += int(x)
					}
					for i := range v {
						v[i] *= float32(n) / float32(len(m))
					}
					return v
				})
			}),
			"first token ([CLS])": withBackend(func(be compute.Backend) Result {
				return Check13_1(be, func(h [][]float32, _ []int32) []float32 { return append([]float32(nil), h[0]...) })
			}),
		},
	},
}

func TestCheckers(t *testing.T) {
	be := newBackend(t)
	for _, id := range sortedIDs(exerciseTests) {
		e := exerciseTests[id]
		t.Run(id, func(t *testing.T) {
			t.Run("reference", func(t *testing.T) {
				r := e.reference(t, be)
				if r.Exercise != id || !r.Answered || !r.Correct || !strings.Contains(r.Message, "练习 "+id+"：正确！") {
					t.Errorf("reference solution: got %+v, want Correct with 练习 %s：正确！", r, id)
				}
			})
			t.Run("blank", func(t *testing.T) {
				r := e.blankAnswer(t, be)
				if r.Exercise != id || r.Answered || r.Correct || r.Message != e.blankMessage {
					t.Errorf("blank: got %+v, want not answered with %q", r, e.blankMessage)
				}
			})
			for name, wrong := range e.wrong {
				t.Run("wrong/"+name, func(t *testing.T) {
					r := wrong(t, be)
					if r.Exercise != id || !r.Answered || r.Correct || r.Message == "" || strings.Contains(r.Message, "正确") {
						t.Errorf("wrong answer %q: got %+v, want answered, not correct, with an explanation", name, r)
					}
				})
			}
		})
	}
}

func TestResultPrintsItsMessage(t *testing.T) {
	r := Check12_2(4.0)
	if r.String() != r.Message || !strings.HasPrefix(r.Message, "练习 12.2：正确！约 4.00 倍") {
		t.Errorf("got %q", r.Message)
	}
}

// sortedIDs returns the exercise ids in chapter order (0.1, 1.1, …, 10.1, 12.2).
func sortedIDs[V any](m map[string]V) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return exerciseLess(ids[i], ids[j]) })
	return ids
}
