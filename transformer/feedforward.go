package transformer

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Activation names the non-linearity inside the feed-forward block.
type Activation int

const (
	// ReLU is max(0, x), used by the original Transformer.
	ReLU Activation = iota
	// GELU is x·Φ(x) = ½x(1 + erf(x/√2)), exact (BERT, PyTorch approximate="none").
	GELU
	// GELUTanh is ½x(1 + tanh(√(2/π)(x + 0.044715x³))), the approximation GPT-2 uses
	// (PyTorch approximate="tanh").
	GELUTanh
)

// String returns the activation's name.
func (a Activation) String() string {
	switch a {
	case ReLU:
		return "relu"
	case GELU:
		return "gelu"
	case GELUTanh:
		return "gelu_tanh"
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// Apply computes the activation element-wise.
func (a Activation) Apply(x *Node) *Node {
	switch a {
	case ReLU:
		zero := ZerosLike(x)
		return Where(GreaterThan(x, zero), x, zero) // gradient 0 at x = 0, as PyTorch
	case GELU:
		return GeluErf(x)
	case GELUTanh:
		return GeluTanh(x)
	}
	panic(errorf("unknown activation %d", int(a)))
}

// GeluErf is ½x(1 + erf(x/√2)).
func GeluErf(x *Node) *Node {
	// AddScalar(·, 1) rather than OnePlus, which puts the scalar on the left: the pure-Go backend has
	// a fast loop for a scalar on the right only (here and in GeluTanh).
	return Mul(MulScalar(x, 0.5), AddScalar(Erf(MulScalar(x, 1/math.Sqrt2)), 1))
}

// GeluTanh is ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
func GeluTanh(x *Node) *Node {
	inner := MulScalar(Add(x, MulScalar(Mul(Square(x), x), 0.044715)), math.Sqrt(2/math.Pi))
	return Mul(MulScalar(x, 0.5), AddScalar(Tanh(inner), 1))
}

// FeedForward is the position-wise network FFN(x) = act(x·W₁ᵀ + b₁)·W₂ᵀ + b₂ ("Attention Is All
// You Need" §3.3), applied to every position independently. x is [batch, seq, width]; the hidden
// layer has hidden features (usually 4·width); the result is [batch, seq, width]. Dropout (while
// training) is applied to the hidden activations, as in PyTorch's TransformerEncoderLayer.
// Variables: "linear1" (width→hidden) and "linear2" (hidden→width), in nn.Linear layout.
func FeedForward(scope *model.Scope, x *Node, hidden int, act Activation, dropout float64) *Node {
	width := x.Shape().Dim(-1)
	h := act.Apply(Linear(scope.In("linear1"), x, hidden, true)) // [batch, seq, hidden]
	h = Dropout(scope.In("dropout"), h, dropout)
	return Linear(scope.In("linear2"), h, width, true)
}
