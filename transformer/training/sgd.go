package training

import (
	"fmt"
	"math"
	"path"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// SGD is stochastic gradient descent with momentum, as torch.optim.SGD (dampening 0, no Nesterov)
// with PyTorch's clip_grad_norm_ before it and a learning-rate schedule of the global step. For
// every trainable parameter θ with gradient g (after clipping) at update t = 1, 2, …:
//
//	g ← g + λ·θ                 λ = WeightDecay if Decay(path) else 0 (L2 in the gradient, as torch)
//	b ← μ·b + g                 b = 0 before the first update, so b₁ = g₁
//	θ ← θ − lr_t·b              lr_t = Schedule.At(t−1)
//
// Unlike Adam, whose step is about lr per coordinate whatever the gradient's size, SGD's step is
// proportional to the gradient: a large gradient is a large step. That makes it the optimizer on
// which a too-high learning rate diverges and clipping by global norm visibly helps (chapter 14).
// Its state (momentum buffers, last learning rate and gradient norm, the Monitor statistics) lives
// in non-trainable variables under /training, so a checkpoint resumes the same trajectory.
type SGD struct {
	Schedule    Schedule
	Momentum    float64 // μ, e.g. 0.9; 0 is plain SGD
	WeightDecay float64 // λ
	ClipNorm    float64 // maximum global gradient norm; 0 disables clipping
	// Decay says which parameters get weight decay, by full variable path; nil means DefaultDecay.
	Decay func(path string) bool
	// Monitor records per-parameter gradient norms and update ratios, as AdamW.Monitor.
	Monitor bool
}

// Validate reports the first bad hyper-parameter.
func (o *SGD) Validate() error {
	if err := o.Schedule.Validate(); err != nil {
		return err
	}
	switch {
	case !(o.Momentum >= 0 && o.Momentum < 1):
		return fmt.Errorf("training.SGD: Momentum %g must be in [0, 1)", o.Momentum)
	case o.WeightDecay < 0 || math.IsNaN(o.WeightDecay):
		return fmt.Errorf("training.SGD: WeightDecay %g must be ≥ 0", o.WeightDecay)
	case o.ClipNorm < 0 || math.IsNaN(o.ClipNorm):
		return fmt.Errorf("training.SGD: ClipNorm %g must be ≥ 0 (0 = no clipping)", o.ClipNorm)
	}
	return nil
}

// UpdateGraph implements optimizer.Interface: gradients, clipping, schedule, SGD update.
func (o *SGD) UpdateGraph(scope *model.Scope, g *Graph, loss *Node) {
	if err := o.Validate(); err != nil {
		panic(err)
	}
	store := scope.Store()
	params, grads, gradNorms := clippedGradients(scope, g, loss, o.ClipNorm, o.Monitor, "training.SGD")
	step := optimizer.IncrementGlobalStep(g, dtypes.Int64) // t = 1, 2, …
	lr := o.Schedule.Graph(SubScalar(step, int64(1)), dtypes.Float32)
	LearningRateVar(store).SetNodeValue(lr)
	decay := o.Decay
	if decay == nil {
		decay = DefaultDecay
	}
	for i, v := range params {
		old := ConvertDType(v.NodeValue(g), dtypes.Float32)
		grad := grads[i]
		if o.WeightDecay > 0 && decay(v.Path()) {
			grad = Add(grad, MulScalar(old, o.WeightDecay))
		}
		if o.Momentum > 0 {
			buf := store.Scope(path.Join("/", Scope, "sgd", v.Path())).WithInitializer(initializer.Zero).
				VariableWithShape("momentum", shapes.Make(dtypes.Float32, v.Shape().Dimensions...)).SetTrainable(false)
			grad = Add(MulScalar(buf.NodeValue(g), o.Momentum), grad) // b ← μb + g
			buf.SetNodeValue(grad)
		}
		updated := Sub(old, Mul(grad, lr))
		v.SetNodeValue(ConvertDType(updated, v.DType()))
		if o.Monitor {
			recordMonitor(store, v.Path(), gradNorms[i], updated, old)
		}
	}
}

// Clear implements optimizer.Interface: it deletes the momentum buffers (the global step stays).
func (o *SGD) Clear(scope *model.Scope) error {
	return scope.Store().DeleteVariablesInScope(path.Join("/", Scope, "sgd"))
}

var _ optimizer.Interface = (*SGD)(nil)
