package training

import (
	"errors"
	"iter"
	"math"
	"slices"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// poisonedData is stepData whose batch drawn at global step poisonAt carries a NaN input.
type poisonedData struct {
	store    *model.Store
	poisonAt int64
}

func (d *poisonedData) Name() string { return "poisoned-data" }
func (d *poisonedData) Iter() iter.Seq2[train.Batch, error] {
	return func(yield func(train.Batch, error) bool) {
		for b, err := range stepData(d.store).Iter() {
			if optimizer.GetGlobalStep(d.store) == d.poisonAt {
				x := b.Inputs[0].Value().([][]float32)
				x[3][1] = float32(math.NaN())
				b.Inputs[0] = tensors.FromValue(x)
			}
			if !yield(b, err) {
				return
			}
		}
	}
}

// newMonitored is newRegression's model with AdamW.Monitor on and, if sqrtPenalty, an extra loss
// term √(Σ p²) of a zero-initialised parameter /penalty/weight: finite (0) in the forward pass, but
// its gradient is ∞·0 = NaN.
func newMonitored(t *testing.T, monitor, sqrtPenalty bool, clip float64) (*model.Store, *train.Trainer) {
	t.Helper()
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(3); err != nil {
		t.Fatal(err)
	}
	opt := NewAdamW(Schedule{Kind: Cosine, PeakLR: 0.05, MinLR: 0.005, WarmupSteps: 3, DecaySteps: 30})
	opt.Monitor, opt.ClipNorm = monitor, clip
	tr := train.NewTrainer(be, store, func(scope *model.Scope, x *Node) []*Node {
		dense := scope.In("dense")
		w := dense.WithInitializer(initializer.RandomNormalFn(dense, 0.5)).VariableWithShape("weight", shapes.Make(dtypes.Float32, 3, 1)).NodeValue(x.Graph())
		b := dense.WithInitializer(initializer.Zero).VariableWithShape("bias", shapes.Make(dtypes.Float32, 1)).NodeValue(x.Graph())
		out := []*Node{Add(MatMul(x, w), InsertAxes(b, 0))}
		if sqrtPenalty {
			p := scope.In("penalty").WithInitializer(initializer.Zero).VariableWithShape("weight", shapes.Make(dtypes.Float32, 2)).NodeValue(x.Graph())
			out = append(out, Sqrt(ReduceAllSum(Square(p))))
		}
		return out
	}, func(labels, predictions []*Node) *Node {
		loss := ReduceAllMean(Square(Sub(predictions[0], labels[0])))
		if len(predictions) > 1 {
			loss = Add(loss, predictions[1])
		}
		return loss
	}, opt, nil, nil)
	return store, tr
}

func scalarOf(t *testing.T, store *model.Store, p string) float64 {
	t.Helper()
	v := store.GetVariable(p)
	if v == nil {
		t.Fatalf("no variable %s", p)
	}
	return scalarFloat(v.MustValue())
}

func flat(t *testing.T, store *model.Store, p string) []float64 {
	t.Helper()
	var out []float64
	for _, x := range tensors.MustCopyFlatData[float32](store.GetVariable(p).MustValue()) {
		out = append(out, float64(x))
	}
	return out
}

func norm(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

// TestMonitorRecordsGradientNormsAndUpdateRatios: the per-parameter gradient norms make up the
// global norm AdamW records, and the update ratios equal ‖θ_new − θ_old‖/‖θ_old‖ measured on the
// weights before and after one more step.
func TestMonitorRecordsGradientNormsAndUpdateRatios(t *testing.T) {
	store, tr := newMonitored(t, true, false, 1)
	if _, err := (&Loop{Trainer: tr, Data: stepData(store), TargetStep: 5}).Run(); err != nil {
		t.Fatal(err)
	}
	before := flat(t, store, "/dense/weight")
	if _, err := (&Loop{Trainer: tr, Data: stepData(store), TargetStep: 6}).Run(); err != nil {
		t.Fatal(err)
	}
	after := flat(t, store, "/dense/weight")
	stats, err := ReadMonitor(store)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 2 || stats[0].Path != "/dense/bias" || stats[1].Path != "/dense/weight" {
		t.Fatalf("monitored parameters %+v, want /dense/bias and /dense/weight", stats)
	}
	global := scalarOf(t, store, "/training/grad_norm")
	if sum := math.Hypot(stats[0].GradNorm, stats[1].GradNorm); math.Abs(sum-global) > 1e-5*global {
		t.Errorf("per-parameter gradient norms give %g, the global norm is %g", sum, global)
	}
	delta := make([]float64, len(after))
	for i := range after {
		delta[i] = after[i] - before[i]
	}
	want := norm(delta) / norm(before)
	if got := stats[1].UpdateRatio; math.Abs(got-want) > 1e-4*want {
		t.Errorf("update ratio of /dense/weight %g, measured %g", got, want)
	}
	t.Logf("step 6: %+v, global norm %.4g", stats, global)
}

// TestReadMonitorWithoutMonitor: nothing is recorded when Monitor is off.
func TestReadMonitorWithoutMonitor(t *testing.T) {
	store, tr := newMonitored(t, false, false, 1)
	if _, err := (&Loop{Trainer: tr, Data: stepData(store), TargetStep: 2}).Run(); err != nil {
		t.Fatal(err)
	}
	stats, err := ReadMonitor(store)
	if err != nil || len(stats) != 0 {
		t.Fatalf("ReadMonitor = %v, %v; want nothing", stats, err)
	}
}

// TestStopOnNonFiniteLoss: a NaN in the batch of step 6 stops the run at step 6 naming the loss; the
// checkpoint written every step stays at step 5; without the option the run goes on to the end.
func TestStopOnNonFiniteLoss(t *testing.T) {
	store, tr := newMonitored(t, true, false, 1)
	dir := t.TempDir()
	res, err := (&Loop{Trainer: tr, Data: &poisonedData{store, 5}, TargetStep: 20, StopOnNonFinite: true,
		CheckpointDir: dir, CheckpointEvery: 1}).Run()
	var nf *NonFiniteError
	if !errors.As(err, &nf) {
		t.Fatalf("Run returned %v, want a *NonFiniteError", err)
	}
	if nf.Step != 6 || nf.Tensor != "loss" || !math.IsNaN(nf.Value) || res.Step != 6 {
		t.Fatalf("stopped at step %d on %q = %g (result step %d), want step 6 on the loss = NaN", nf.Step, nf.Tensor, nf.Value, res.Step)
	}
	if nf.TotalParameters != 2 || len(nf.Parameters) != 2 {
		t.Errorf("non-finite parameters %v of %d, want both", nf.Parameters, nf.TotalParameters)
	}
	_, meta, err := ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	fresh := model.NewStore()
	if _, err := LoadCheckpoint(dir, fresh); err != nil {
		t.Fatal(err)
	}
	if s := optimizer.GetGlobalStep(fresh); s != 5 {
		t.Errorf("last checkpoint is at step %d, want 5 (meta %v)", s, meta)
	}
	for _, x := range flat(t, fresh, "/dense/weight") {
		if !finite(x) {
			t.Errorf("the checkpoint holds a non-finite weight")
		}
	}
	t.Log(nf)

	// Without the option GoMLX's own loop still stops on a NaN loss, but names neither the global
	// step nor a tensor.
	store, tr = newMonitored(t, true, false, 1)
	res, err = (&Loop{Trainer: tr, Data: &poisonedData{store, 5}, TargetStep: 20}).Run()
	if err == nil || errors.As(err, &nf) || res.Step != 6 {
		t.Fatalf("without StopOnNonFinite: step %d, err %v; want GoMLX's NaN error at step 6", res.Step, err)
	}
	t.Logf("without StopOnNonFinite: %v", err)
}

// TestStopOnNonFiniteGradient: √(Σp²) at p = 0 has a finite value and a NaN gradient. With Monitor
// the error names that gradient at step 1; without, the global gradient norm.
func TestStopOnNonFiniteGradient(t *testing.T) {
	for _, monitor := range []bool{true, false} {
		store, tr := newMonitored(t, monitor, true, 1)
		_, err := (&Loop{Trainer: tr, Data: stepData(store), TargetStep: 10, StopOnNonFinite: true}).Run()
		var nf *NonFiniteError
		if !errors.As(err, &nf) {
			t.Fatalf("monitor %v: Run returned %v, want a *NonFiniteError", monitor, err)
		}
		want := "global gradient norm"
		if monitor {
			want = "gradient of /penalty/weight"
		}
		if nf.Step != 1 || nf.Tensor != want || finite(nf.Value) || !finite(nf.Loss) {
			t.Errorf("monitor %v: step %d, %q = %g, loss %g; want step 1, %q non-finite, loss finite", monitor, nf.Step, nf.Tensor, nf.Value, nf.Loss, want)
		}
		if monitor && (len(nf.Gradients) != 1 || nf.Gradients[0] != "/penalty/weight") {
			t.Errorf("non-finite gradients %v, want only /penalty/weight", nf.Gradients)
		}
		// The penalty's own update is NaN. Clipping multiplies every gradient by min(1, c/NaN): NaN
		// on XLA (all three parameters are hit), 1 on the pure-Go backend (only the penalty is).
		if nf.TotalParameters != 3 || len(nf.Parameters) == 0 || !slices.Contains(nf.Parameters, "/penalty/weight") {
			t.Errorf("monitor %v: non-finite parameters %v of %d, want /penalty/weight among 3", monitor, nf.Parameters, nf.TotalParameters)
		}
		t.Log(err)
	}
}

// TestMonitorOffIsTheSameUpdate: turning Monitor on does not change the trajectory.
func TestMonitorOffIsTheSameUpdate(t *testing.T) {
	var weights [2][]float64
	for i, monitor := range []bool{false, true} {
		store, tr := newMonitored(t, monitor, false, 1)
		if _, err := (&Loop{Trainer: tr, Data: stepData(store), TargetStep: 12}).Run(); err != nil {
			t.Fatal(err)
		}
		weights[i] = flat(t, store, "/dense/weight")
	}
	for i := range weights[0] {
		if weights[0][i] != weights[1][i] {
			t.Fatalf("weights without monitor %v, with %v", weights[0], weights[1])
		}
	}
}
