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
	// DenseLayoutOutputsInput tells GoMLX the weight is [out, in], i.e. it computes x·Wᵀ.
	return nn.Dense(x, weight, bias, compute.DenseLayoutOutputsInput)
}
