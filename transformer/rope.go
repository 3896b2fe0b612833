package transformer

import (
	"math"

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
	if headDim%2 != 0 {
		panic(errorf("RoPE: headDim %d must be even", headDim))
	}
	half := headDim / 2
	cosFlat := make([]float64, seq*half)
	sinFlat := make([]float64, seq*half)
	for p := range seq {
		for i := range half {
			theta := float64(p+offset) / math.Pow(base, float64(2*i)/float64(headDim))
			cosFlat[p*half+i], sinFlat[p*half+i] = math.Cos(theta), math.Sin(theta)
		}
	}
	g := x.Graph()
	// [seq, half] → [1, seq, 1, half] so they broadcast over batch and heads.
	cos := Reshape(ConvertDType(Const(g, tensors.FromFlatDataAndDimensions(cosFlat, seq, half)), x.DType()), 1, seq, 1, half)
	sin := Reshape(ConvertDType(Const(g, tensors.FromFlatDataAndDimensions(sinFlat, seq, half)), x.DType()), 1, seq, 1, half)
	x1 := Slice(x, AxisRange(), AxisRange(), AxisRange(), AxisRange(0, half))       // first half of each head
	x2 := Slice(x, AxisRange(), AxisRange(), AxisRange(), AxisRange(half, headDim)) // second half
	rotated1 := Sub(Mul(x1, cos), Mul(x2, sin))
	rotated2 := Add(Mul(x2, cos), Mul(x1, sin))
	return Concatenate([]*Node{rotated1, rotated2}, -1)
}
