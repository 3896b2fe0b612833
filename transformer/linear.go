package transformer

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/nn"
)

// Linear is the affine map y = x·Wᵀ + b applied to the last axis of x.
//
// It stores its parameters exactly as PyTorch's nn.Linear does, so a checkpoint loads without
// transposing: "weight" is [outDim, inDim] and "bias" is [outDim] (created only when useBias).
// x is [..., inDim]; the result is [..., outDim]. Weights start Xavier-uniform, biases at zero.
func Linear(scope *model.Scope, x *Node, outDim int, useBias bool) *Node {
	return LinearWithInit(scope, x, outDim, useBias, initializer.XavierUniformFn(scope))
}

// LinearWithInit is Linear with the weight's initializer given, e.g. GPT-2's N(0, 0.02²)
// (initializer.RandomNormalFn); biases still start at zero.
func LinearWithInit(scope *model.Scope, x *Node, outDim int, useBias bool, weightInit initializer.VariableInitializer) *Node {
	g := x.Graph()
	inDim := x.Shape().Dim(-1)
	weight := scope.WithInitializer(weightInit).VariableWithShape("weight", shapes.Make(x.DType(), outDim, inDim)).NodeValue(g) // [out, in]
	var bias *Node
	if useBias {
		bias = scope.WithInitializer(initializer.Zero).
			VariableWithShape("bias", shapes.Make(x.DType(), outDim)).NodeValue(g) // [out]
	}
	if WeightLeftFaster(x) {
		y := ProjectWeightLeft(x, weight)
		if bias != nil {
			y = Add(y, ExpandLeftToRank(bias, y.Rank())) // [1, …, 1, out]: broadcast over the leading axes
		}
		return y
	}
	// DenseLayoutOutputsInput tells GoMLX the weight is [out, in], i.e. it computes x·Wᵀ.
	return nn.Dense(x, weight, bias, compute.DenseLayoutOutputsInput)
}

// fewRows is the most rows of x (the product of its leading axes) for which WeightLeftFaster
// holds: one generated token for each of a few sequences.
const fewRows = 4

// WeightLeftFaster reports whether x·Wᵀ should be computed as ProjectWeightLeft does: for a few rows
// of x on the pure-Go backend. Such a matrix–vector product is bound by how fast the weights stream
// from memory, and compute v0.1.14's Go backend streams W at ~10 GB/s as the left operand of a
// product against ~5.7 GB/s as the right one (BenchmarkMatVecWeightLeft vs BenchmarkMatVecF32:
// x [1, 384], W [1152, 384]), so a token of KV-cached generation gets about 1.5× faster.
func WeightLeftFaster(x *Node) bool {
	return x.Shape().Size()/x.Shape().Dim(-1) <= fewRows && x.Graph().Backend().Name() == "Go Backend"
}

// ProjectWeightLeft is x·Wᵀ for x [..., in] and W [out, in] (nn.Linear's weight, or a tied
// embedding table [vocab, d]) computed as (W·xᵀ)ᵀ: the same product, [..., out].
func ProjectWeightLeft(x, weight *Node) *Node {
	inDim, outDim := x.Shape().Dim(-1), weight.Shape().Dim(0)
	lead := x.Shape().Dimensions[:x.Rank()-1]
	rows := x.Shape().Size() / inDim
	y := Transpose(Einsum("oi,ri->or", weight, Reshape(x, rows, inDim)), 0, 1) // W·xᵀ [out, rows] → [rows, out]
	return Reshape(y, append(append([]int(nil), lead...), outDim)...)
}
