package transformer

import (
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/model"
)

// Dropout zeroes each element with probability rate and scales the survivors by 1/(1−rate), but
// only while training (model.Store.SetTraining); otherwise, or when rate is 0, it returns x.
func Dropout(scope *model.Scope, x *Node, rate float64) *Node {
	if rate <= 0 {
		return x
	}
	return layers.Dropout(scope, x, ConstAsDType(x.Graph(), x.DType(), rate))
}
