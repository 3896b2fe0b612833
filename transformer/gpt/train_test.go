package gpt

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/gomlx/core/tensors"
)

func tinyConfig() Config {
	c := nanoGPTCPU()
	c.VocabSize, c.NPositions, c.NEmbd, c.NLayer, c.NHead = 11, 16, 32, 2, 4
	return c
}

func tinyTokens(n int) []int32 {
	// A learnable pattern: counting modulo 11 with some noise.
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(i % 11)
		if r.IntN(10) == 0 {
			out[i] = int32(r.IntN(11))
		}
	}
	return out
}

// newTestModel opens the test backend and makes a model of c with fresh weights.
func newTestModel(t testing.TB, c Config) *Model {
	t.Helper()
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(be, c)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func tinyRecipe(iters int) TrainConfig {
	t := NanoGPTCPU()
	t.Batch, t.Iters, t.Warmup, t.EvalIters, t.EvalEvery, t.LR, t.MinLR = 4, iters, 2, 2, 0, 3e-3, 3e-4
	return t
}

// TestTrainResume: 8 steps straight equals 4 steps + checkpoint + new process state + 4 steps.
func TestTrainResume(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	toks := tinyTokens(2000)
	val := tinyTokens(500)
	const total = 8
	cfg := tinyConfig()
	cfg.NLayer = 1
	straight, err := New(be, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want, err := straight.Train(tinyRecipe(total), toks, val, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	first, _ := New(be, cfg)
	rc := tinyRecipe(total)
	rc.StopAt = total / 2
	rc.CheckpointDir = dir
	if _, err := first.Train(rc, toks, val, first.CheckpointMeta(nil)); err != nil {
		t.Fatal(err)
	}
	resumed, _, err := LoadCheckpoint(be, dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := resumed.Train(tinyRecipe(total), toks, val, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Step != total || want.Step != total {
		t.Fatalf("steps: resumed %d, straight %d, want %d", got.Step, want.Step, total)
	}
	t.Logf("straight: last batch %.6f val %.6f; resumed: last batch %.6f val %.6f", want.LastBatch, want.ValLoss, got.LastBatch, got.ValLoss)
	if math.Abs(got.LastBatch-want.LastBatch) > 1e-5 || math.Abs(got.ValLoss-want.ValLoss) > 1e-5 {
		t.Fatalf("resumed run diverged: last batch %.6f vs %.6f, val %.6f vs %.6f", got.LastBatch, want.LastBatch, got.ValLoss, want.ValLoss)
	}
	// The resumed and the straight weights agree too.
	a := tensors.MustCopyFlatData[float32](straight.Store.GetVariable("/h/0/mlp/c_fc/weight").MustValue())
	b := tensors.MustCopyFlatData[float32](resumed.Store.GetVariable("/h/0/mlp/c_fc/weight").MustValue())
	if d := maxAbsDiff(a, b); d > 1e-6 {
		t.Fatalf("weights differ by %g after resume", d)
	}
}

// TestTrainLearns: the loss on a predictable stream falls well below log(V).
func TestTrainLearns(t *testing.T) {
	be, _ := backend.New()
	m, err := New(be, tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Train(tinyRecipe(40), tinyTokens(2000), tinyTokens(500), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after 40 steps: train %.3f val %.3f (log V = %.3f)", res.TrainLoss, res.ValLoss, math.Log(11))
	if !(res.ValLoss < 0.6*math.Log(11)) {
		t.Fatalf("val loss %.3f did not fall below 0.6·log(11)", res.ValLoss)
	}
}

func TestTrainConfigErrors(t *testing.T) {
	for _, mod := range []func(*TrainConfig){
		func(c *TrainConfig) { c.Batch = 0 },
		func(c *TrainConfig) { c.Iters = -1 },
		func(c *TrainConfig) { c.LR = 0 },
		func(c *TrainConfig) { c.MinLR = 1 },
		func(c *TrainConfig) { c.Beta2 = 1 },
		func(c *TrainConfig) { c.EvalIters = -1 }, // 0 is valid: no loss estimates
	} {
		c := NanoGPTCPU()
		mod(&c)
		if c.Validate() == nil {
			t.Errorf("no error for %+v", c)
		}
	}
}

// TestTrainMonitorAndStopOnNonFinite: Monitor records every parameter, OnStep sees every step, and
// a learning rate of 1e30 makes the second loss non-finite, which StopOnNonFinite reports by step.
func TestTrainMonitorAndStopOnNonFinite(t *testing.T) {
	m := newTestModel(t, tinyConfig())
	r := tinyRecipe(3)
	r.Monitor = true
	var seen []int64
	r.OnStep = func(step int64, loss float64) { seen = append(seen, step) }
	if _, err := m.Train(r, tinyTokens(2000), tinyTokens(500), nil); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 || seen[2] != 3 {
		t.Errorf("OnStep saw steps %v, want 1, 2, 3", seen)
	}
	stats, err := training.ReadMonitor(m.Store)
	if err != nil {
		t.Fatal(err)
	}
	params := 0
	for v := range m.Store.IterVariables() {
		if v.Trainable {
			params++
		}
	}
	if len(stats) != params {
		t.Errorf("monitor has %d parameters, the model %d", len(stats), params)
	}
	for _, s := range stats {
		if !(s.GradNorm > 0) || !(s.UpdateRatio > 0) {
			t.Errorf("%+v: want a positive gradient norm and update ratio", s)
		}
	}

	m = newTestModel(t, tinyConfig())
	r = tinyRecipe(20)
	r.LR, r.MinLR, r.Warmup, r.ClipNorm, r.StopOnNonFinite = 1e30, 1e30, 0, 0, true
	_, err = m.Train(r, tinyTokens(2000), tinyTokens(500), nil)
	var nf *training.NonFiniteError
	if !errors.As(err, &nf) || nf.Step > 3 || len(nf.Parameters) == 0 {
		t.Fatalf("lr 1e30: %v; want a NonFiniteError within 3 steps naming non-finite parameters", err)
	}
	t.Log(err)
}
