package nb

import (
	"math"
	"slices"
)

// Median returns the middle value of xs (the mean of the two middle values for an even count):
// the timing chapters report the median of repeated runs, which one slow run does not move.
// NaN for no values.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	ys := slices.Clone(xs)
	slices.Sort(ys)
	n := len(ys)
	if n%2 == 1 {
		return ys[n/2]
	}
	return (ys[n/2-1] + ys[n/2]) / 2
}

// MaxAbsDiff returns max |a[i] − b[i]| over two slices of the same length (it panics otherwise):
// how far two computations of the same numbers are apart.
func MaxAbsDiff[F float32 | float64](a, b []F) float64 {
	if len(a) != len(b) {
		panic("nb.MaxAbsDiff: lengths differ")
	}
	worst := 0.0
	for i := range a {
		worst = max(worst, math.Abs(float64(a[i])-float64(b[i])))
	}
	return worst
}
