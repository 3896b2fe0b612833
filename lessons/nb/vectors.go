package nb

import (
	"math"
	"slices"
)

// Cosine returns the cosine similarity u·v / (‖u‖‖v‖) of two vectors of the same length, summed in
// float64 (float32 sums drift at the 1e-6 level the parity checks look at). 0 if either is zero.
func Cosine[F float32 | float64](u, v []F) float64 {
	if len(u) != len(v) {
		panic("nb.Cosine: lengths differ")
	}
	var dot, uu, vv float64
	for k := range u {
		a, b := float64(u[k]), float64(v[k])
		dot, uu, vv = dot+a*b, uu+a*a, vv+b*b
	}
	if uu == 0 || vv == 0 {
		return 0
	}
	return dot / math.Sqrt(uu*vv)
}

// Cosines returns the matrix of cosine similarities between every row of a and every row of b:
// out[i][j] = Cosine(a[i], b[j]), shape [len(a)][len(b)].
func Cosines[F float32 | float64](a, b [][]F) [][]float64 {
	out := make([][]float64, len(a))
	for i := range a {
		out[i] = make([]float64, len(b))
		for j := range b {
			out[i][j] = Cosine(a[i], b[j])
		}
	}
	return out
}

// Ranked returns the indices of scores from the highest score to the lowest; equal scores keep
// their order (a stable sort), so a ranking table does not change from run to run.
func Ranked(scores []float64) []int {
	order := make([]int, len(scores))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case scores[a] > scores[b]:
			return -1
		case scores[a] < scores[b]:
			return 1
		}
		return 0
	})
	return order
}
