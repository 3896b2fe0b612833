package exercises

import "math/rand/v2"

// normalRows draws a rows×width matrix of mean + std·N(0, 1), row by row: the same numbers as the
// chapters' randomMatrix (mean 0, std 1), randomBatch and randomRows helpers for the same seed.
func normalRows(rng *rand.Rand, rows, width int, mean, std float64) [][]float64 {
	m := make([][]float64, rows)
	for i := range m {
		m[i] = make([]float64, width)
		for j := range m[i] {
			m[i][j] = mean + std*rng.NormFloat64()
		}
	}
	return m
}

// float32Rows converts a matrix to float32.
func float32Rows(m [][]float64) [][]float32 {
	out := make([][]float32, len(m))
	for i, row := range m {
		out[i] = make([]float32, len(row))
		for j, x := range row {
			out[i][j] = float32(x)
		}
	}
	return out
}
