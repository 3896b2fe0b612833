package training

import (
	"fmt"
	"math"
	"path"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// Scope is the store scope under which AdamW keeps its state (moments, last learning rate and
// gradient norm).
const Scope = "training"

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter, 2019), gradient clipping by
// global norm and a learning-rate schedule of the global step. For every trainable parameter θ
// with gradient g (after clipping) at update t = 1, 2, …:
//
//	m ← β₁·m + (1−β₁)·g
//	v ← β₂·v + (1−β₂)·g²
//	m̂ = m/(1−β₁ᵗ),  v̂ = v/(1−β₂ᵗ)
//	θ ← θ − lr_t·( m̂/(√v̂ + ε) + λ·θ )     λ = WeightDecay if Decay(path) else 0
//
// lr_t = Schedule.At(t−1). This is torch.optim.AdamW, with PyTorch's clip_grad_norm_ before it.
// AdamW implements GoMLX's optimizer.Interface, so it plugs into train.Trainer. It increments
// the global step (optimizer.GetGlobalStep) and keeps its state as non-trainable variables under
// /training, so a checkpoint of the store resumes the same trajectory.
type AdamW struct {
	Schedule    Schedule
	Beta1       float64 // 0.9
	Beta2       float64 // 0.999 (nanoGPT's small recipes: 0.99)
	Epsilon     float64 // 1e-8
	WeightDecay float64 // λ, e.g. 0.1
	ClipNorm    float64 // maximum global gradient norm; 0 disables clipping
	// Decay says which parameters get weight decay, by full variable path; nil means DefaultDecay.
	Decay func(path string) bool
	// Monitor, when true, records for every trainable parameter θ the norm of its gradient (before
	// clipping) and the relative size of its update ‖Δθ‖/‖θ‖ at each step, in non-trainable scalar
	// variables under /training/monitor (ReadMonitor returns them; Loop.StopOnNonFinite uses them to
	// name the gradient that stopped a run). It costs two reductions per parameter and step.
	Monitor bool
}

// NewAdamW returns AdamW with PyTorch's defaults (β = 0.9, 0.999; ε = 1e-8), weight decay 0.1,
// clipping at 1.0 and the given schedule.
func NewAdamW(s Schedule) *AdamW {
	return &AdamW{Schedule: s, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8, WeightDecay: 0.1, ClipNorm: 1}
}

// Validate reports the first bad hyper-parameter.
func (o *AdamW) Validate() error {
	if err := o.Schedule.Validate(); err != nil {
		return err
	}
	switch {
	case !(o.Beta1 >= 0 && o.Beta1 < 1):
		return fmt.Errorf("training.AdamW: Beta1 %g must be in [0, 1)", o.Beta1)
	case !(o.Beta2 >= 0 && o.Beta2 < 1):
		return fmt.Errorf("training.AdamW: Beta2 %g must be in [0, 1)", o.Beta2)
	case !(o.Epsilon > 0):
		return fmt.Errorf("training.AdamW: Epsilon %g must be > 0", o.Epsilon)
	case o.WeightDecay < 0 || math.IsNaN(o.WeightDecay):
		return fmt.Errorf("training.AdamW: WeightDecay %g must be ≥ 0", o.WeightDecay)
	case o.ClipNorm < 0 || math.IsNaN(o.ClipNorm):
		return fmt.Errorf("training.AdamW: ClipNorm %g must be ≥ 0 (0 = no clipping)", o.ClipNorm)
	}
	return nil
}

// DefaultDecay decays matrices only: a variable named "weight" whose path does not mention an
// embedding or a norm. Biases, LayerNorm gains/biases ("gain", "bias", …/ln_*/…, …norm…) and
// embedding tables (…embed…, wte, wpe, …position…) are not decayed, as in GPT-2/BERT practice.
func DefaultDecay(fullPath string) bool {
	dir, name := path.Split(fullPath)
	if name != "weight" {
		return false
	}
	dir = strings.ToLower(dir)
	for _, no := range []string{"embed", "wte", "wpe", "position", "norm", "ln_", "layernorm"} {
		if strings.Contains(dir, no) {
			return false
		}
	}
	return true
}

// LearningRateVar is the non-trainable scalar variable holding the learning rate of the last update.
func LearningRateVar(store *model.Store) *model.Variable {
	return store.Scope("/"+Scope).WithInitializer(initializer.Zero).
		VariableWithShape("learning_rate", shapes.Make(dtypes.Float32)).SetTrainable(false)
}

// GradNormVar is the non-trainable scalar variable holding the global gradient norm (before
// clipping) of the last update.
func GradNormVar(store *model.Store) *model.Variable {
	return store.Scope("/"+Scope).WithInitializer(initializer.Zero).
		VariableWithShape("grad_norm", shapes.Make(dtypes.Float32)).SetTrainable(false)
}

// UpdateGraph implements optimizer.Interface: gradients, clipping, schedule, AdamW update.
func (o *AdamW) UpdateGraph(scope *model.Scope, g *Graph, loss *Node) {
	if err := o.Validate(); err != nil {
		panic(err)
	}
	store := scope.Store()
	params, grads, gradNorms := clippedGradients(scope, g, loss, o.ClipNorm, o.Monitor, "training.AdamW")

	step := optimizer.IncrementGlobalStep(g, dtypes.Int64) // t = 1, 2, …
	lr := o.Schedule.Graph(SubScalar(step, int64(1)), dtypes.Float32)
	LearningRateVar(store).SetNodeValue(lr)
	t := ConvertDType(step, dtypes.Float32)
	// Scalars first, so that each parameter costs as few full-size passes as possible (the order of
	// operations is torch.optim.AdamW's):
	//   step size   lr/(1−β₁ᵗ)             and   1/√(1−β₂ᵗ)
	//   θ ← θ·(1 − lr·λ)                    (decoupled weight decay, before the Adam step)
	//   θ ← θ − step size · m / (√v/√(1−β₂ᵗ) + ε)
	// which is θ − lr·(m̂/(√v̂+ε) + λ·θ) with m̂, v̂ the bias-corrected moments.
	stepSize := Div(lr, OneMinus(Pow(Scalar(g, dtypes.Float32, o.Beta1), t)))   // lr/(1−β₁ᵗ)
	invSqrtBias2 := Rsqrt(OneMinus(Pow(Scalar(g, dtypes.Float32, o.Beta2), t))) // 1/√(1−β₂ᵗ)
	keep := OneMinus(MulScalar(lr, o.WeightDecay))                              // 1 − lr·λ
	decay := o.Decay
	if decay == nil {
		decay = DefaultDecay
	}
	for i, v := range params {
		m, s := o.moments(store, v)
		grad := grads[i]
		mNew := Add(MulScalar(m.NodeValue(g), o.Beta1), MulScalar(grad, 1-o.Beta1))         // β₁m + (1−β₁)g
		sNew := Add(MulScalar(s.NodeValue(g), o.Beta2), MulScalar(Square(grad), 1-o.Beta2)) // β₂v + (1−β₂)g²
		m.SetNodeValue(mNew)
		s.SetNodeValue(sNew)
		old := ConvertDType(v.NodeValue(g), dtypes.Float32)
		theta := old
		if o.WeightDecay > 0 && decay(v.Path()) {
			theta = Mul(theta, keep)
		}
		denom := AddScalar(Mul(Sqrt(sNew), invSqrtBias2), o.Epsilon) // √v̂ + ε
		// Scalars go on the right of Mul: the pure-Go backend has a fast loop for a scalar rhs only.
		updated := Sub(theta, Mul(Div(mNew, denom), stepSize))
		v.SetNodeValue(ConvertDType(updated, v.DType()))
		if o.Monitor {
			recordMonitor(store, v.Path(), gradNorms[i], updated, old)
		}
	}
}

// moments returns the (created on first use, zero-initialised, non-trainable) first and second
// moment variables of v, at /training/adamw/<v's path>/{m,v}.
func (o *AdamW) moments(store *model.Store, v *model.Variable) (m, s *model.Variable) {
	sc := store.Scope(path.Join("/", Scope, "adamw", v.Path())).WithInitializer(initializer.Zero)
	shape := shapes.Make(dtypes.Float32, v.Shape().Dimensions...)
	m = sc.VariableWithShape("m", shape).SetTrainable(false)
	s = sc.VariableWithShape("v", shape).SetTrainable(false)
	return m, s
}

// Clear implements optimizer.Interface: it deletes the moments (the global step stays).
func (o *AdamW) Clear(scope *model.Scope) error {
	return scope.Store().DeleteVariablesInScope(path.Join("/", Scope, "adamw"))
}

var _ optimizer.Interface = (*AdamW)(nil)
