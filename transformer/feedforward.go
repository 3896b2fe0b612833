package transformer

import (
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
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
		if y, ok := fusedActivation(x, compute.ActivationGelu); ok {
			return y
		}
		return GeluErf(x)
	case GELUTanh:
		// Not the fused kernel: compute v0.1.14's gradient of its tanh GELU is wrong (up to 0.25 off;
		// backend.TestFusedGeluTanhGradientIsWrong is the canary that fails once it is fixed).
		return GeluTanh(x)
	}
	panic(errorf("unknown activation %d", int(a)))
}

// fusedActivation runs the backend's fused kernel for an activation when the backend has one for
// both the value and its gradient (the pure-Go backend does: one pass over x forward, one backward,
// instead of the 5–8 element-wise passes of the formula and about as many for its gradient). XLA
// fuses the formula by itself and reports no such kernel, so it gets the formula below. The kernels
// compute the same function as GeluErf (TestActivationsMatchTorch checks the value and gradient
// against PyTorch on every backend).
func fusedActivation(x *Node, t compute.ActivationType) (*Node, bool) {
	if dt := x.DType(); dt != dtypes.Float32 && dt != dtypes.Float64 {
		return nil, false
	}
	ops := x.Graph().Backend().Capabilities().Operations
	if !ops[compute.OpTypeFusedActivation] || !ops[compute.OpTypeFusedActivationVJP] {
		return nil, false
	}
	return BackendFusedActivation(x, compute.ActivationConfig{Type: t}), true
}

// GeluErf is ½x(1 + erf(x/√2)).
func GeluErf(x *Node) *Node {
	// AddScalar(·, 1) rather than OnePlus, which puts the scalar on the left: the pure-Go backend has
	// a fast loop for a scalar on the right only (here and in GeluTanh).
	return Mul(MulScalar(x, 0.5), AddScalar(Erf(MulScalar(x, 1/math.Sqrt2)), 1))
}

// GeluTanh is ½x(1 + tanh(√(2/π)(x + 0.044715x³))), GPT-2's approximation of GELU.
//
// It is computed as x·σ(2·√(2/π)·(x + 0.044715x³)) with σ the logistic function, using the
// identity ½(1 + tanh z) = σ(2z): the same function in fewer element-wise operations (6 instead of
// 9, and fewer in its gradient), which the pure-Go backend runs one at a time.
func GeluTanh(x *Node) *Node {
	const c = 2 * 0.7978845608028654                                // 2·√(2/π)
	inner := Mul(x, AddScalar(MulScalar(Square(x), c*0.044715), c)) // 2·√(2/π)·(x + 0.044715x³)
	return Mul(x, Logistic(inner))
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
