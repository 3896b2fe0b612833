package transformer

import (
	"math"

	"github.com/gomlx/compute/dtypes"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// RoPE applies rotary position embeddings (Su et al., "RoFormer", 2021) to queries or keys
// x [batch, seq, heads, headDim], for positions offset, offset+1, …; it returns the same shape.
//
// Feature pairs are rotated by an angle proportional to the position:
//
//	θ_i = pos / base^(2i/headDim),  i = 0 … headDim/2−1
//	(x_i, x_{i+headDim/2}) ↦ (x_i·cos θ_i − x_{i+headDim/2}·sin θ_i,  x_{i+headDim/2}·cos θ_i + x_i·sin θ_i)
//
// Because both q and k are rotated, q_m·k_n depends only on m−n: relative position for free.
// Pairs are (i, i+headDim/2) — the "rotate half" layout of GPT-NeoX and HF LLaMA — rather than
// the paper's adjacent (2i, 2i+1); the two differ only by a fixed permutation of the features.
// headDim must be even. base is usually 10000.
func RoPE(x *Node, offset int, base float64) *Node {
	seq, headDim := x.Shape().Dim(1), x.Shape().Dim(3)
	cos, sin := ropeTables(x.Graph(), x.DType(), offset, seq, headDim, base)
	return rotateHalf(x, cos, sin)
}

// RoPEAt is RoPE for positions given as a node, int32 [seq] with values in [0, maxLen): the
// rotation of KV-cached decoding, where the position is only known when the graph runs. The
// angles are rows of the same float64 table as RoPE's, so both agree exactly.
func RoPEAt(x, positions *Node, maxLen int, base float64) *Node {
	cos, sin := ropeTables(x.Graph(), x.DType(), 0, maxLen, x.Shape().Dim(3), base) // [maxLen, half]
	pick := func(table *Node) *Node {
		return InsertAxes(Gather(table, InsertAxes(positions, -1)), 1) // [seq, 1, half]
	}
	return rotateHalf(x, InsertAxes(pick(cos), 0), InsertAxes(pick(sin), 0))
}

// ropeTables returns cos θ and sin θ for positions offset … offset+n−1 as constants [n, half] of
// dtype, θ_i = pos / base^(2i/headDim), computed in float64.
func ropeTables(g *Graph, dtype dtypes.DType, offset, n, headDim int, base float64) (cos, sin *Node) {
	if headDim%2 != 0 {
		panic(errorf("RoPE: headDim %d must be even", headDim))
	}
	half := headDim / 2
	cosFlat := make([]float64, n*half)
	sinFlat := make([]float64, n*half)
	for p := range n {
		for i := range half {
			theta := float64(p+offset) / math.Pow(base, float64(2*i)/float64(headDim))
			cosFlat[p*half+i], sinFlat[p*half+i] = math.Cos(theta), math.Sin(theta)
		}
	}
	cos = ConvertDType(Const(g, tensors.FromFlatDataAndDimensions(cosFlat, n, half)), dtype)
	sin = ConvertDType(Const(g, tensors.FromFlatDataAndDimensions(sinFlat, n, half)), dtype)
	return cos, sin
}

// rotateHalf rotates the pairs (x_i, x_{i+half}) of x [batch, seq, heads, headDim] by angles whose
// cos and sin broadcast to [batch, seq, heads, half] (e.g. [1, seq, 1, half]).
func rotateHalf(x, cos, sin *Node) *Node {
	seq, headDim := x.Shape().Dim(1), x.Shape().Dim(3)
	half := headDim / 2
	if cos.Rank() == 2 { // [seq, half] → [1, seq, 1, half] so they broadcast over batch and heads
		cos, sin = Reshape(cos, 1, seq, 1, half), Reshape(sin, 1, seq, 1, half)
	}
	x1 := Slice(x, AxisRange(), AxisRange(), AxisRange(), AxisRange(0, half))       // first half of each head
	x2 := Slice(x, AxisRange(), AxisRange(), AxisRange(), AxisRange(half, headDim)) // second half
	rotated1 := Sub(Mul(x1, cos), Mul(x2, sin))
	rotated2 := Add(Mul(x2, cos), Mul(x1, sin))
	return Concatenate([]*Node{rotated1, rotated2}, -1)
}
