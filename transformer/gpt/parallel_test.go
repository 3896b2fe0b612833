package gpt

import (
	"math"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/gomlx/core/tensors"
)

// trainLosses trains tinyConfig for steps updates on `devices` devices and returns the loss of
// every step and the model.
func trainLosses(t *testing.T, devices, steps int) ([]float64, *Model) {
	t.Helper()
	be, err := backend.NewDevices(devices)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(be, tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Store.SetRNGStateFromSeed(7); err != nil {
		t.Fatal(err)
	}
	rc := tinyRecipe(steps)
	rc.Batch, rc.Devices = 8, devices
	tr, err := m.Trainer(rc)
	if err != nil {
		t.Fatal(err)
	}
	data, err := training.NewDataParallel(m.Backend, m.Store, &StepBatches{Tokens: tinyTokens(4000), SeqLen: 16, Batch: rc.Batch, Seed: 3, Store: m.Store}, devices)
	if err != nil {
		t.Fatal(err)
	}
	var losses []float64
	loop := &training.Loop{Trainer: tr, Data: data, TargetStep: steps, OnStep: func(_ int64, loss float64) { losses = append(losses, loss) }}
	if _, err := loop.Run(); err != nil {
		t.Fatal(err)
	}
	return losses, m
}

// TestDataParallelSameAsOneDevice: with the same global batch, 2 and 4 devices give the losses of
// one device at each of 20 steps (within 1e-5) and the same weights at the end.
func TestDataParallelSameAsOneDevice(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	if be.String() != "xla" {
		t.Skipf("backend %q has one device and no distributed execution (XLA only)", be.String())
	}
	const steps = 20
	want, one := trainLosses(t, 1, steps)
	for _, n := range []int{2, 4} {
		if n > be.NumDevices() { // a GPU machine: one device per GPU
			t.Logf("%d devices: the backend has %d, not tried", n, be.NumDevices())
			continue
		}
		got, m := trainLosses(t, n, steps)
		if len(got) != steps || len(want) != steps {
			t.Fatalf("%d devices: %d losses, one device %d, want %d", n, len(got), len(want), steps)
		}
		worst := 0.0
		for i := range got {
			worst = max(worst, math.Abs(got[i]-want[i]))
		}
		// The key bias (the middle third of c_attn's bias) gets a zero gradient in exact arithmetic
		// (q·b_k is added to every score of a row: the softmax does not change), so AdamW moves it
		// by normalised rounding noise in any run; it is compared on its own, bounded by lr·steps.
		var worstW, worstKey float64
		var worstName string
		d := tinyConfig().NEmbd
		for v := range one.Store.IterVariables() {
			if !isModelVariable(v.Path()) {
				continue
			}
			a := tensors.MustCopyFlatData[float32](v.MustValue())
			b := tensors.MustCopyFlatData[float32](m.Store.GetVariable(v.Path()).MustValue())
			for i := range a {
				diff := math.Abs(float64(a[i] - b[i]))
				if strings.HasSuffix(v.Path(), "/c_attn/bias") && i >= d && i < 2*d {
					worstKey = max(worstKey, diff)
				} else if diff > worstW {
					worstW, worstName = diff, v.Path()
				}
			}
		}
		t.Logf("%d devices vs 1: max |Δloss| over %d steps %.3g (first %.6f, last %.6f); max |Δweight| %.3g (%s), key biases %.3g",
			n, steps, worst, want[0], want[steps-1], worstW, worstName, worstKey)
		if lr := tinyRecipe(steps).LR; worstKey > lr*steps {
			t.Errorf("%d devices: key biases differ by %g (> lr·steps)", n, worstKey)
		}
		if worst > 1e-5 {
			t.Errorf("%d devices: losses differ from one device by %g (> 1e-5)", n, worst)
		}
		if worstW > 1e-5 {
			t.Errorf("%d devices: weight %s differs from one device by %g (> 1e-5)", n, worstName, worstW)
		}
		if !(want[steps-1] < want[0]-0.1) {
			t.Errorf("loss did not fall: %.4f → %.4f", want[0], want[steps-1])
		}
	}
}

// TestTrainDevices: Model.Train with Devices runs data-parallel (a checkpoint written from the
// replicated weights loads back), and bad device counts are errors that name the numbers.
func TestTrainDevices(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	rc := tinyRecipe(4)
	rc.Batch, rc.Devices = 6, 4 // 6 rows on 4 devices
	if err := rc.Validate(); err == nil || !strings.Contains(err.Error(), "batch 6 is not divisible by 4 devices") {
		t.Errorf("batch 6 on 4 devices: %v", err)
	}
	rc.Devices = -1
	if err := rc.Validate(); err == nil || !strings.Contains(err.Error(), "devices -1") {
		t.Errorf("devices -1: %v", err)
	}
	m, err := New(be, tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	rc.Batch, rc.Devices = 1024, 512 // more than any backend here
	if _, err := m.Train(rc, tinyTokens(2000), tinyTokens(500), nil); err == nil || !strings.Contains(err.Error(), "512 devices asked") {
		t.Errorf("512 devices: %v", err)
	}
	if be.NumDevices() < 2 {
		rc.Batch, rc.Devices = 4, 2
		_, err := m.Train(rc, tinyTokens(2000), tinyTokens(500), nil)
		if err == nil || !strings.Contains(err.Error(), "has 1") {
			t.Errorf("2 devices on %s: %v", be.String(), err)
		}
		t.Skipf("backend %q has one device: data-parallel training not run", be.String())
	}
	rc.Batch, rc.Devices, rc.CheckpointDir = 4, 2, t.TempDir()
	res, err := m.Train(rc, tinyTokens(2000), tinyTokens(500), m.CheckpointMeta(nil))
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := LoadCheckpoint(be, rc.CheckpointDir)
	if err != nil {
		t.Fatal(err)
	}
	a := tensors.MustCopyFlatData[float32](m.Store.GetVariable("/wte/weight").MustValue())
	b := tensors.MustCopyFlatData[float32](back.Store.GetVariable("/wte/weight").MustValue())
	if d := maxAbsDiff(a, b); d != 0 || res.Step != 4 || math.IsNaN(res.ValLoss) {
		t.Errorf("2-device run: step %d, val %.4f, checkpoint differs by %g", res.Step, res.ValLoss, d)
	}
}
