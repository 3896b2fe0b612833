package training

import (
	"fmt"
	"math"
	"path"
	"sort"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// monitorScope is where AdamW.Monitor keeps its per-parameter statistics:
// /training/monitor/<parameter path>/{grad_norm,update_ratio}.
const monitorScope = "/" + Scope + "/monitor"

// ParamStats are one parameter's statistics of the last update (AdamW.Monitor).
type ParamStats struct {
	Path string // the parameter's variable path, e.g. "/h/0/attn/c_attn/weight"
	// GradNorm is ‖∂L/∂θ‖ (Frobenius norm) before clipping.
	GradNorm float64
	// UpdateRatio is ‖θ_new − θ_old‖ / ‖θ_old‖: how much the step changed the parameter, relative to
	// its size (weight decay included). A rule of thumb for Adam-trained networks is ~1e-3; values
	// near 1 mean every step rewrites the parameter. +Inf when θ_old = 0 and the step moved it.
	UpdateRatio float64
}

// recordMonitor stores a parameter's gradient norm and update ratio into their monitor variables.
func recordMonitor(store *model.Store, param string, gradNorm, updated, old *Node) {
	sc := store.Scope(path.Join(monitorScope, param)).WithInitializer(initializer.Zero)
	scalar := shapes.Make(dtypes.Float32)
	sc.VariableWithShape("grad_norm", scalar).SetTrainable(false).SetNodeValue(ConvertDType(gradNorm, dtypes.Float32))
	delta := Sqrt(ReduceAllSum(Square(Sub(updated, old))))
	size := Sqrt(ReduceAllSum(Square(old)))
	sc.VariableWithShape("update_ratio", scalar).SetTrainable(false).SetNodeValue(Div(delta, size))
}

// ReadMonitor returns the statistics AdamW.Monitor recorded at the last update, sorted by
// parameter path; nil when nothing was recorded (Monitor off, or no step yet).
func ReadMonitor(store *model.Store) ([]ParamStats, error) {
	byPath := map[string]*ParamStats{}
	for v := range store.IterVariables() {
		p := v.Path()
		if !strings.HasPrefix(p, monitorScope+"/") {
			continue
		}
		param, name := path.Split(strings.TrimPrefix(p, monitorScope))
		param = strings.TrimSuffix(param, "/")
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("training.ReadMonitor: %s: %w", p, err)
		}
		x := scalarFloat(t)
		s := byPath[param]
		if s == nil {
			s = &ParamStats{Path: param, GradNorm: math.NaN(), UpdateRatio: math.NaN()}
			byPath[param] = s
		}
		switch name {
		case "grad_norm":
			s.GradNorm = x
		case "update_ratio":
			s.UpdateRatio = x
		}
	}
	out := make([]ParamStats, 0, len(byPath))
	for _, s := range byPath {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// NonFiniteError is how Loop.StopOnNonFinite stops a run: the step whose loss or gradient was NaN
// or ±Inf, and the tensors found so.
type NonFiniteError struct {
	Step int64 // the global step of the update that produced it
	// Tensor names the first non-finite tensor: "loss", "gradient of <parameter path>" (with
	// AdamW.Monitor), or "global gradient norm".
	Tensor string
	Value  float64 // its value (the loss, or the gradient's norm): NaN, +Inf or −Inf
	Loss   float64 // the step's training loss
	// Gradients lists the parameters whose gradient norm was not finite (AdamW.Monitor only).
	Gradients []string
	// Parameters lists the trainable parameters that hold a non-finite value after the step (the
	// update was applied: a NaN gradient turns every parameter it reaches into NaN).
	Parameters []string
	// TotalParameters is the number of trainable parameters checked.
	TotalParameters int
}

func (e *NonFiniteError) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "training stopped at step %d: %s is %g", e.Step, e.Tensor, e.Value)
	if e.Tensor != "loss" {
		fmt.Fprintf(&sb, " (loss %g)", e.Loss)
	}
	if n := len(e.Gradients); n > 1 {
		fmt.Fprintf(&sb, "; %d gradients are not finite", n)
	}
	if n := len(e.Parameters); n > 0 {
		fmt.Fprintf(&sb, "; %d of %d parameters now hold NaN/Inf (first: %s)", n, e.TotalParameters, e.Parameters[0])
	}
	return sb.String()
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// checkFiniteStep returns a *NonFiniteError when the step's loss, or the global gradient norm that
// AdamW recorded (if the trainer uses AdamW), is not finite.
func checkFiniteStep(store *model.Store, step int64, loss float64) error {
	gradNorm := 0.0
	if v := store.GetVariable(path.Join("/", Scope, "grad_norm")); v != nil {
		t, err := v.Value()
		if err != nil {
			return err
		}
		gradNorm = scalarFloat(t)
	}
	if finite(loss) && finite(gradNorm) {
		return nil
	}
	e := &NonFiniteError{Step: step, Loss: loss}
	stats, err := ReadMonitor(store)
	if err != nil {
		return err
	}
	var firstGrad *ParamStats
	for i, s := range stats {
		if !finite(s.GradNorm) {
			e.Gradients = append(e.Gradients, s.Path)
			if firstGrad == nil {
				firstGrad = &stats[i]
			}
		}
	}
	switch {
	case !finite(loss):
		e.Tensor, e.Value = "loss", loss
	case firstGrad != nil:
		e.Tensor, e.Value = "gradient of "+firstGrad.Path, firstGrad.GradNorm
	default:
		e.Tensor, e.Value = "global gradient norm", gradNorm
	}
	var params []string
	values := map[string]*tensors.Tensor{}
	for v := range store.IterVariables() {
		if !v.Trainable || !v.Shape().DType.IsFloat() {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return err
		}
		params = append(params, v.Path())
		values[v.Path()] = t
	}
	sort.Strings(params)
	e.TotalParameters = len(params)
	for _, p := range params {
		if CheckFinite(p, values[p]) != nil {
			e.Parameters = append(e.Parameters, p)
		}
	}
	return e
}
