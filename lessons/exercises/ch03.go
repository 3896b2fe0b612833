package exercises

import (
	"math"
	"slices"

	"github.com/bert2gpt/bert2gpt/transformer"
)

// Check3_1 checks exercise 3.1: pe(pos, j, d) must equal transformer.SinusoidalTable for 50
// positions of width 32 (to 1e-9); the first three wrong values are shown. NaN at (0, 0) (the
// blank) is "not answered".
func Check3_1(pe func(pos, j, d int) float64) Result {
	const positions, d = 50, 32
	want := transformer.SinusoidalTable(positions, d)
	if math.IsNaN(pe(0, 0, d)) {
		return notAnswered("3.1", "实现 mySinusoidal")
	}
	v := newVerdict("3.1")
	bad := 0
	for p := range positions {
		for j := range d {
			if got := pe(p, j, d); !near(got, want[p][j], 1e-9) {
				if bad < 3 {
					v.printf("PE(%d, %d)：你的值 %.6f，应为 %.6f", p, j, got, want[p][j])
				}
				bad++
			}
		}
	}
	if bad > 0 {
		v.printf("练习 3.1：有 %d 个值不对。", bad)
	}
	return v.result(bad == 0, "")
}

// Check3_2 checks exercise 3.2: inverseShift(k, d) must return the d×d matrix N_k with
// N_k·PE(pos+k) = PE(pos), tested with k = 7, d = 16 on every pos with pos+k < 60 of
// transformer.SinusoidalTable (to 1e-9). A nil matrix (the blank) is "not answered".
func Check3_2(inverseShift func(k, d int) [][]float64) Result {
	const positions, d, k = 60, 16, 7
	pe := transformer.SinusoidalTable(positions, d)
	n := inverseShift(k, d)
	if n == nil {
		return notAnswered("3.2", "实现 myInverseShift")
	}
	if len(n) != d || slices.ContainsFunc(n, func(row []float64) bool { return len(row) != d }) {
		return wrong("3.2", "矩阵应为 %d×%d。", d, d)
	}
	worst := 0.0
	for p := 0; p+k < positions; p++ {
		back := matVec(n, pe[p+k])
		for j := range d {
			worst = max(worst, math.Abs(back[j]-pe[p][j])) // max propagates NaN
		}
	}
	if worst >= 1e-9 || math.IsNaN(worst) {
		return wrong("3.2", "N_k·PE(pos+k) 与 PE(pos) 最多相差 %.3g。", worst)
	}
	return correct("3.2", "")
}

// matVec returns m·x.
func matVec(m [][]float64, x []float64) []float64 {
	out := make([]float64, len(m))
	for r := range m {
		for c := range x {
			out[r] += m[r][c] * x[c]
		}
	}
	return out
}
