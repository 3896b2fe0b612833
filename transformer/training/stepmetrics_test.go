package training

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestLoopMetricsAndStop: OnMetrics sees every step with the schedule's learning rate and a
// positive gradient norm; Stop ends the run early without an error, and the final Eval and
// checkpoint still run at the step where it stopped.
func TestLoopMetricsAndStop(t *testing.T) {
	sched := Schedule{Kind: Cosine, PeakLR: 0.05, MinLR: 0.005, WarmupSteps: 3, DecaySteps: 30}
	store, tr := newRegression(t)
	var seen []StepMetrics
	var evals []int64
	dir := t.TempDir()
	res, err := (&Loop{
		Trainer: tr, Data: stepData(store), TargetStep: 30, CheckpointDir: dir,
		Eval:      func(step int64) error { evals = append(evals, step); return nil },
		OnMetrics: func(m StepMetrics) { seen = append(seen, m) },
		Stop:      func(m StepMetrics) bool { return m.Step == 7 },
	}).Run()
	if err != nil {
		t.Fatal(err)
	}
	if res.Step != 7 || res.Steps != 7 || len(seen) != 7 {
		t.Fatalf("stopped at step %d after %d steps, %d metrics; want 7, 7, 7", res.Step, res.Steps, len(seen))
	}
	for i, m := range seen {
		if m.Step != int64(i+1) {
			t.Errorf("metrics %d: step %d", i, m.Step)
		}
		// The update of global step s used the schedule at s−1 (AdamW's convention).
		if want := sched.At(m.Step - 1); math.Abs(m.LearningRate-want) > 1e-6 {
			t.Errorf("step %d: learning rate %g, want %g", m.Step, m.LearningRate, want)
		}
		if !(m.GradNorm > 0) || math.IsInf(m.GradNorm, 0) || !(m.Loss > 0) {
			t.Errorf("step %d: loss %g, grad norm %g", m.Step, m.Loss, m.GradNorm)
		}
	}
	if seen[6].Loss != res.TrainLoss {
		t.Errorf("last metrics loss %g, Result.TrainLoss %g", seen[6].Loss, res.TrainLoss)
	}
	if len(evals) != 1 || evals[0] != 7 {
		t.Errorf("evaluations at %v, want one at the stop step 7", evals)
	}
	if _, err := os.Stat(filepath.Join(dir, CheckpointFile)); err != nil {
		t.Errorf("no checkpoint at the stop: %v", err)
	}
}
