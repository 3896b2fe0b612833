package transformer

import (
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// SinusoidalTable returns the fixed position table of "Attention Is All You Need" §3.5 as
// [seqLen][width] float64:
//
//	PE(pos, 2i)   = sin(pos / 10000^(2i/width))
//	PE(pos, 2i+1) = cos(pos / 10000^(2i/width))
//
// Each pair of columns is a clock turning at its own speed, so PE(pos+k) is a rotation of PE(pos)
// and the model can read relative offsets from it.
func SinusoidalTable(seqLen, width int) [][]float64 {
	table := make([][]float64, seqLen)
	for pos := range table {
		table[pos] = make([]float64, width)
		for col := range width {
			i := col / 2 // columns 2i and 2i+1 share one frequency
			angle := float64(pos) / math.Pow(10000, float64(2*i)/float64(width))
			if col%2 == 0 {
				table[pos][col] = math.Sin(angle)
			} else {
				table[pos][col] = math.Cos(angle)
			}
		}
	}
	return table
}

// SinusoidalPositions is SinusoidalTable as a constant node [seqLen, width] of the given dtype,
// ready to be added to token embeddings [batch, seqLen, width]. It is computed in float64 and
// rounded once, which is also what the PyTorch reference does.
func SinusoidalPositions(g *Graph, dtype dtypes.DType, seqLen, width int) *Node {
	flat := make([]float64, 0, seqLen*width)
	for _, row := range SinusoidalTable(seqLen, width) {
		flat = append(flat, row...)
	}
	return ConvertDType(Const(g, tensors.FromFlatDataAndDimensions(flat, seqLen, width)), dtype)
}

// LearnedPositions returns the first seqLen rows of a trainable table "weight" [maxLen, width]
// (BERT's position_embeddings, GPT-2's wpe), as [seqLen, width]. It panics if seqLen > maxLen;
// the models check their inputs first and report it as an error (Config.CheckTokens, IDTable).
func LearnedPositions(scope *model.Scope, g *Graph, dtype dtypes.DType, seqLen, maxLen, width int) *Node {
	if seqLen > maxLen {
		panic(errorf("LearnedPositions: sequence length %d is longer than the position table (%d)", seqLen, maxLen))
	}
	table := scope.WithInitializer(initializer.RandomNormalFn(scope, 0.02)).
		VariableWithShape("weight", shapes.Make(dtype, maxLen, width)).NodeValue(g) // [maxLen, width]
	return Slice(table, AxisRange(0, seqLen))
}
