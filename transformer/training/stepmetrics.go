package training

import (
	"errors"
	"math"
	"path"

	"github.com/gomlx/gomlx/ml/model"
)

// StepMetrics is what a training step reports to Loop.OnMetrics and Loop.Stop.
type StepMetrics struct {
	Step         int64   // global step after the update (1 after the first)
	Loss         float64 // loss of the step's batch
	LearningRate float64 // learning rate the update used (AdamW/SGD record it; NaN otherwise)
	GradNorm     float64 // global gradient norm before clipping, ‖g‖ = √(Σ g²) (NaN if not recorded)
}

// readScalarVar returns the value of the scalar variable /<Scope>/name, NaN if the store has none
// (an optimizer that does not record it).
func readScalarVar(store *model.Store, name string) (float64, error) {
	v := store.GetVariable(path.Join("/", Scope, name))
	if v == nil {
		return math.NaN(), nil
	}
	t, err := v.Value()
	if err != nil {
		return math.NaN(), err
	}
	return scalarFloat(t), nil
}

// stepMetrics reads the metrics of the step just taken: two scalars besides the loss.
func stepMetrics(store *model.Store, step int64, loss float64) (StepMetrics, error) {
	m := StepMetrics{Step: step, Loss: loss}
	var err1, err2 error
	m.LearningRate, err1 = readScalarVar(store, "learning_rate")
	m.GradNorm, err2 = readScalarVar(store, "grad_norm")
	return m, errors.Join(err1, err2)
}

// errStopRequested ends GoMLX's loop from inside a step callback when Loop.Stop says so; Run
// turns it back into a normal end of training.
var errStopRequested = errors.New("training.Loop: stop requested")
