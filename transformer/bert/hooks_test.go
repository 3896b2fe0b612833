package bert

import (
	"testing"

	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/gomlx/ml/train"
)

// TestPretrainHooks: OnEval sees every evaluation with its MLM and NSP parts (the last is the
// result), OnMetrics every step, Stop ends the run early, and a Batches source that yields the
// default batches trains exactly like the default.
func TestPretrainHooks(t *testing.T) {
	b := testBackend(t)
	run := func(mod func(*PretrainOptions)) (PretrainMetrics, []PretrainMetrics, []training.StepMetrics) {
		t.Helper()
		o := toyOptions("")
		o.EvalEvery = 2
		var evals []PretrainMetrics
		var steps []training.StepMetrics
		o.OnEval = func(m PretrainMetrics) { evals = append(evals, m) }
		o.OnMetrics = func(s training.StepMetrics) { steps = append(steps, s) }
		if mod != nil {
			mod(&o)
		}
		_, final, err := Pretrain(b, o)
		if err != nil {
			t.Fatal(err)
		}
		return final, evals, steps
	}
	final, evals, steps := run(nil)
	if len(evals) != 3 || evals[0].Step != 2 || evals[1].Step != 4 || evals[2].Step != 6 {
		t.Fatalf("evaluations at %+v, want steps 2, 4, 6", evals)
	}
	if e := evals[2]; e.MLMLoss != final.MLMLoss || e.NSPLoss != final.NSPLoss || !(e.MLMLoss > 0) || !(e.NSPLoss > 0) || e.Predictions == 0 {
		t.Errorf("last evaluation %+v, result %+v", e, final)
	}
	if len(steps) != 6 || !(steps[0].LearningRate > 0) || !(steps[0].GradNorm > 0) {
		t.Fatalf("step metrics %+v", steps)
	}

	stopped, _, stoppedSteps := run(func(o *PretrainOptions) {
		o.Stop = func(s training.StepMetrics) bool { return s.Step == 3 }
	})
	if stopped.Step != 3 || len(stoppedSteps) != 3 || stoppedSteps[2].Loss != steps[2].Loss {
		t.Errorf("Stop at 3: ended at %d after %d steps", stopped.Step, len(stoppedSteps))
	}

	_, _, same := run(func(o *PretrainOptions) {
		ds, err := o.dataset("train", o.Train, o.Seed)
		if err != nil {
			t.Fatal(err)
		}
		var source train.Dataset = &stepBatches{name: "custom", ds: ds, batch: o.BatchSize, seed: o.Seed}
		o.Batches = source
	})
	for i := range steps {
		if same[i].Loss != steps[i].Loss {
			t.Errorf("step %d: Batches with the default batches gave loss %g, default %g", i+1, same[i].Loss, steps[i].Loss)
		}
	}
}
