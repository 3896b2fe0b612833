package gpt

import (
	"math"
	"testing"

	"github.com/bert2gpt/bert2gpt/transformer/training"
)

// TestTrainHooks: OnEval sees every estimate (the last one is the result's), OnMetrics every step
// with the schedule's learning rate, Stop ends the run early, and a Batches source that yields the
// default windows trains exactly like the default while another source trains differently.
func TestTrainHooks(t *testing.T) {
	toks, val := tinyTokens(2000), tinyTokens(500)
	run := func(mod func(*TrainConfig, *Model)) (TrainResult, []EvalResult, []training.StepMetrics) {
		t.Helper()
		m := newTestModel(t, tinyConfig())
		r := tinyRecipe(12)
		r.EvalEvery = 5
		var evals []EvalResult
		var steps []training.StepMetrics
		r.OnEval = func(e EvalResult) { evals = append(evals, e) }
		r.OnMetrics = func(s training.StepMetrics) { steps = append(steps, s) }
		if mod != nil {
			mod(&r, m)
		}
		res, err := m.Train(r, toks, val, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res, evals, steps
	}

	res, evals, steps := run(nil)
	if len(evals) != 3 || evals[0].Step != 5 || evals[1].Step != 10 || evals[2].Step != 12 {
		t.Fatalf("evaluations %+v, want steps 5, 10, 12", evals)
	}
	if last := evals[2]; last.TrainLoss != res.TrainLoss || last.ValLoss != res.ValLoss {
		t.Errorf("last estimate %+v, result %+v", last, res)
	}
	sched := tinyRecipe(12).optimizer().Schedule
	if len(steps) != 12 {
		t.Fatalf("%d step metrics, want 12", len(steps))
	}
	for _, s := range steps {
		if want := sched.At(s.Step - 1); math.Abs(s.LearningRate-want) > 1e-7 || !(s.GradNorm > 0) {
			t.Errorf("step %d: lr %g (want %g), grad norm %g", s.Step, s.LearningRate, want, s.GradNorm)
		}
	}

	stopped, _, stoppedSteps := run(func(r *TrainConfig, _ *Model) {
		r.Stop = func(s training.StepMetrics) bool { return s.Step == 7 }
	})
	if stopped.Step != 7 || len(stoppedSteps) != 7 || stoppedSteps[6].Loss != steps[6].Loss {
		t.Errorf("Stop at 7: ended at %d after %d steps (loss %g, the full run's step 7: %g)",
			stopped.Step, len(stoppedSteps), stoppedSteps[len(stoppedSteps)-1].Loss, steps[6].Loss)
	}

	_, _, same := run(func(r *TrainConfig, m *Model) {
		r.Batches = &StepBatches{Tokens: toks, SeqLen: m.Config.NPositions, Batch: r.Batch, Seed: r.Seed, Store: m.Store}
	})
	_, _, other := run(func(r *TrainConfig, m *Model) {
		r.Batches = &StepBatches{Tokens: toks, SeqLen: m.Config.NPositions, Batch: r.Batch, Seed: r.Seed + 1, Store: m.Store}
	})
	for i := range steps {
		if same[i].Loss != steps[i].Loss {
			t.Errorf("step %d: Batches with the default windows gave loss %g, default %g", i+1, same[i].Loss, steps[i].Loss)
		}
	}
	if other[0].Loss == steps[0].Loss {
		t.Errorf("a different Batches source gave the default's first loss %g", steps[0].Loss)
	}
}

// TestTrainWithoutEstimates: EvalIters 0 with a Batches source needs no token streams, trains the
// same steps, and still calls OnEval (losses NaN) at the evaluation steps.
func TestTrainWithoutEstimates(t *testing.T) {
	toks := tinyTokens(2000)
	m := newTestModel(t, tinyConfig())
	r := tinyRecipe(6)
	r.EvalIters, r.EvalEvery = 0, 3
	r.Batches = &StepBatches{Tokens: toks, SeqLen: m.Config.NPositions, Batch: r.Batch, Seed: r.Seed, Store: m.Store}
	var evals []EvalResult
	r.OnEval = func(e EvalResult) { evals = append(evals, e) }
	res, err := m.Train(r, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Step != 6 || !math.IsNaN(res.ValLoss) || !(res.LastBatch > 0) {
		t.Fatalf("result %+v: want step 6, NaN estimates, a batch loss", res)
	}
	if len(evals) != 2 || evals[0].Step != 3 || evals[1].Step != 6 || !math.IsNaN(evals[1].TrainLoss) {
		t.Fatalf("evaluations %+v, want steps 3 and 6 with NaN losses", evals)
	}
	// Without Batches the training stream is still needed, and negative EvalIters is refused.
	r2 := tinyRecipe(2)
	r2.EvalIters = 0
	if _, err := newTestModel(t, tinyConfig()).Train(r2, nil, nil, nil); err == nil {
		t.Error("no Batches and no training tokens must be an error")
	}
	r2.EvalIters = -1
	if err := r2.Validate(); err == nil {
		t.Error("EvalIters −1 must be refused")
	}
}
