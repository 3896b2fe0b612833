package training

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// clippedGradients is the part of an update both optimizers share: the trainable variables the
// graph uses, their gradients of loss in float32 clipped by global norm (ClipByGlobalNorm; the norm
// before clipping goes to GradNormVar) and, when monitor is set, each gradient's own norm before
// clipping (for recordMonitor). who prefixes the panics.
func clippedGradients(scope *model.Scope, g *Graph, loss *Node, clipNorm float64, monitor bool, who string) (params []*model.Variable, grads, gradNorms []*Node) {
	if !loss.Shape().IsScalar() {
		panic(fmt.Errorf("%s: the loss must be a scalar, got %s", who, loss.Shape()))
	}
	// The trainable variables this graph uses, in the order BuildTrainableVariablesGradientsGraph
	// returns their gradients.
	for v := range scope.IterVariables() {
		if v.Trainable && v.InUseByGraph(g) {
			params = append(params, v)
		}
	}
	grads = scope.BuildTrainableVariablesGradientsGraph(loss)
	if len(grads) != len(params) || len(grads) == 0 {
		panic(fmt.Errorf("%s: %d gradients for %d trainable variables", who, len(grads), len(params)))
	}
	for i := range grads {
		grads[i] = ConvertDType(grads[i], dtypes.Float32)
	}
	if monitor {
		for _, gr := range grads {
			gradNorms = append(gradNorms, Sqrt(ReduceAllSum(Square(gr))))
		}
	}
	grads, norm := ClipByGlobalNorm(grads, clipNorm)
	GradNormVar(scope.Store()).SetNodeValue(ConvertDType(norm, dtypes.Float32))
	return params, grads, gradNorms
}
