package exercises

import (
	"math"
	"testing"

	"github.com/gomlx/compute"
)

// Exercise 14.1's reference and wrong answers live here (added to exerciseTests), so that the
// chapter's tests stay apart from the shared table.

// refNumericGradient is exercise 14.1's reference: central differences, x restored after each
// coordinate.
func refNumericGradient(f func([]float64) float64, x []float64, h float64) []float64 {
	g := make([]float64, len(x))
	for i := range x {
		orig := x[i]
		x[i] = orig + h
		plus := f(x)
		x[i] = orig - h
		minus := f(x)
		x[i] = orig
		g[i] = (plus - minus) / (2 * h)
	}
	return g
}

func init() {
	check := func(fn func(f func([]float64) float64, x []float64, h float64) []float64) func(*testing.T, compute.Backend) Result {
		return withBackend(func(be compute.Backend) Result { return Check14_1(be, fn) })
	}
	exerciseTests["14.1"] = exerciseTest{
		blank:        "return nil",
		blankMessage: "练习 14.1：还没有作答——在上一个单元格里实现 numericGradient。",
		reference:    check(refNumericGradient),
		blankAnswer:  check(func(func([]float64) float64, []float64, float64) []float64 { return nil }),
		wrong: map[string]func(*testing.T, compute.Backend) Result{
			"forward difference": check(func(f func([]float64) float64, x []float64, h float64) []float64 {
				g := make([]float64, len(x))
				f0 := f(x)
				for i := range x {
					orig := x[i]
					x[i] = orig + h
					g[i] = (f(x) - f0) / h
					x[i] = orig
				}
				return g
			}),
			"missing the 2": check(func(f func([]float64) float64, x []float64, h float64) []float64 {
				g := refNumericGradient(f, x, h)
				for i := range g {
					g[i] *= 2
				}
				return g
			}),
			"x not restored": check(func(f func([]float64) float64, x []float64, h float64) []float64 {
				g := make([]float64, len(x))
				for i := range x {
					x[i] += h
					plus := f(x)
					x[i] -= 2 * h
					g[i] = (plus - f(x)) / (2 * h)
				}
				return g
			}),
			"one coordinate short": check(func(f func([]float64) float64, x []float64, h float64) []float64 {
				return refNumericGradient(f, x, h)[1:]
			}),
			"NaN": check(func(f func([]float64) float64, x []float64, h float64) []float64 {
				g := make([]float64, len(x))
				for i := range g {
					g[i] = math.NaN()
				}
				return g
			}),
		},
	}
}
