package transformer

import (
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// LayerNorm normalises each vector over its last axis (Ba et al., 2016):
//
//	μ = mean(x),  σ² = mean((x−μ)²)  (biased variance, as PyTorch)
//	y = (x−μ)/√(σ²+ε) · gain + bias
//
// x is [..., width]; variables "gain" (starts at 1) and "bias" (starts at 0), both [width]
// — PyTorch's LayerNorm.weight and .bias, BERT's LayerNorm.gamma/beta, GPT-2's ln_*.g/b.
func LayerNorm(scope *model.Scope, x *Node, epsilon float64) *Node {
	mean := ReduceAndKeep(x, ReduceMean, -1)                    // [..., 1]
	centered := Sub(x, mean)                                    // [..., width]
	variance := ReduceAndKeep(Square(centered), ReduceMean, -1) // [..., 1]
	normalized := Div(centered, Sqrt(AddScalar(variance, epsilon)))
	return Add(Mul(normalized, normGain(scope, x)), normBias(scope, x))
}

// RMSNorm rescales each vector by its root mean square, with no centring and no bias
// (Zhang & Sennrich, 2019; used by LLaMA and T5):
//
//	y = x / √(mean(x²)+ε) · gain
//
// x is [..., width]; variable "gain" [width] starts at 1 (PyTorch's RMSNorm.weight).
func RMSNorm(scope *model.Scope, x *Node, epsilon float64) *Node {
	meanSquare := ReduceAndKeep(Square(x), ReduceMean, -1) // [..., 1]
	return Mul(Div(x, Sqrt(AddScalar(meanSquare, epsilon))), normGain(scope, x))
}

func normGain(scope *model.Scope, x *Node) *Node {
	width := x.Shape().Dim(-1)
	gain := scope.WithInitializer(initializer.One).
		VariableWithShape("gain", shapes.Make(x.DType(), width)).NodeValue(x.Graph())
	return ExpandLeftToRank(gain, x.Rank()) // [1, …, 1, width] broadcasts over the leading axes
}

func normBias(scope *model.Scope, x *Node) *Node {
	width := x.Shape().Dim(-1)
	bias := scope.WithInitializer(initializer.Zero).
		VariableWithShape("bias", shapes.Make(x.DType(), width)).NodeValue(x.Graph())
	return ExpandLeftToRank(bias, x.Rank())
}
