package gpt

import (
	"math"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
)

// stepLosses trains m for steps updates (tinyRecipe) and returns each step's loss.
func stepLosses(t *testing.T, m *Model, rc TrainConfig, steps int) []float64 {
	t.Helper()
	tr, err := m.Trainer(rc)
	if err != nil {
		t.Fatal(err)
	}
	var losses []float64
	loop := &training.Loop{Trainer: tr, TargetStep: steps, OnStep: func(_ int64, l float64) { losses = append(losses, l) },
		Data: &StepBatches{Tokens: tinyTokens(3000), SeqLen: 16, Batch: rc.Batch, Seed: 5, Store: m.Store}}
	if _, err := loop.Run(); err != nil {
		t.Fatal(err)
	}
	return losses
}

// TestCheckpointedTrainingIsTheSame: gradient checkpointing changes memory and time, not the
// updates: 8 steps give the same losses (to float32 rounding) with and without it.
func TestCheckpointedTrainingIsTheSame(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	run := func(ckpt bool) []float64 {
		m, err := New(be, tinyConfig())
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Store.SetRNGStateFromSeed(11); err != nil {
			t.Fatal(err)
		}
		rc := tinyRecipe(8)
		rc.Checkpoint = ckpt
		return stepLosses(t, m, rc, 8)
	}
	plain, ckpt := run(false), run(true)
	for i := range plain {
		if math.Abs(plain[i]-ckpt[i]) > 1e-5 {
			t.Errorf("step %d: loss %.7f with checkpointing, %.7f without", i+1, ckpt[i], plain[i])
		}
	}
	t.Logf("losses without / with checkpointing: %.5f…%.5f / %.5f…%.5f", plain[0], plain[7], ckpt[0], ckpt[7])
}

// TestInspection: the residual stream has L+1 entries, the logit lens's last layer is
// log_softmax(Logits), attention rows sum to 1 with nothing right of the diagonal, and an
// attribution is zero after the predicted position and reports log P(target).
func TestInspection(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	c := tinyConfig()
	m, err := New(be, c)
	if err != nil {
		t.Fatal(err)
	}
	toks := [][]int32{{1, 2, 3, 4, 5, 6, 7, 8}, {8, 7, 6, 5, 4, 3, 2, 1}}
	res, err := m.ResidualStream(toks)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != c.NLayer+1 || res[0].Shape().Dimensions[2] != c.NEmbd {
		t.Fatalf("residual stream: %d tensors of %s", len(res), res[0].Shape())
	}
	lens, err := m.LogitLens(toks)
	if err != nil {
		t.Fatal(err)
	}
	logits, err := m.Logits(toks)
	if err != nil {
		t.Fatal(err)
	}
	last := lens[c.NLayer].Value().([][][]float32)
	lg := logits.Value().([][][]float32)
	worst := 0.0
	for b := range lg {
		for s := range lg[b] {
			lse := 0.0
			for _, x := range lg[b][s] {
				lse += math.Exp(float64(x))
			}
			for v, x := range lg[b][s] {
				worst = max(worst, math.Abs(float64(x)-math.Log(lse)-float64(last[b][s][v])))
			}
		}
	}
	if len(lens) != c.NLayer+1 || worst > 1e-5 {
		t.Errorf("logit lens: %d layers, last differs from log_softmax(Logits) by %g", len(lens), worst)
	}
	maps, err := m.AttentionMaps(toks)
	if err != nil {
		t.Fatal(err)
	}
	if len(maps) != c.NLayer {
		t.Fatalf("%d attention maps", len(maps))
	}
	w := maps[1].Value().([][][][]float32) // [batch, heads, q, k]
	for q := range w[0][0] {
		sum := 0.0
		for k, x := range w[0][2][q] {
			sum += float64(x)
			if k > q && x != 0 {
				t.Errorf("attention of query %d on later key %d: %g", q, k, x)
			}
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Errorf("query %d: weights sum to %g", q, sum)
		}
	}
	a, err := m.Attribute(toks[0], 4, 9)
	if err != nil {
		t.Fatal(err)
	}
	want := float64(lens[c.NLayer].Value().([][][]float32)[0][4][9])
	if math.Abs(a.LogProb-want) > 1e-5 || len(a.Scores) != 8 {
		t.Errorf("attribution: log P %.6f, want %.6f; %d scores", a.LogProb, want, len(a.Scores))
	}
	for i := 5; i < 8; i++ {
		if a.Scores[i] != 0 || a.GradNorm[i] != 0 {
			t.Errorf("position %d after the prediction at 4: score %g, gradient %g", i, a.Scores[i], a.GradNorm[i])
		}
	}
	if a.GradNorm[4] == 0 || a.GradNorm[0] == 0 {
		t.Errorf("zero gradient at positions 0…4: %v", a.GradNorm)
	}
	if _, err := m.Attribute(toks[0], 8, 1); err == nil || !strings.Contains(err.Error(), "position 8") {
		t.Errorf("position 8 of 8: %v", err)
	}
}

// TestGradientTimesInputByFiniteDifference: Σᵢ Scores[i] = ∇ₓ₀ log P · x0 is the derivative of
// log P(target) along the embeddings themselves, d/dα log P(α·x0) at α = 1. Scaling wte and wpe by
// α scales x0 by α — and the tied output head by α too, which the check undoes: the logit lens gives
// log_softmax(α·z), and log_softmax((α·z − c)/α) = log_softmax(z) for any constant c.
func TestGradientTimesInputByFiniteDifference(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	c := tinyConfig()
	m, err := New(be, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Store.SetRNGStateFromSeed(3); err != nil {
		t.Fatal(err)
	}
	toks := []int32{3, 1, 4, 1, 5, 9}
	const pos, target = 5, 2
	if _, err := m.Logits([][]int32{toks}); err != nil { // creates the weights
		t.Fatal(err)
	}
	// Random weights are too smooth to test anything: give the embeddings a larger scale.
	setScaled := func(name string, alpha float32) {
		v := m.Store.GetVariable(name)
		flat := tensors.MustCopyFlatData[float32](v.MustValue())
		for i := range flat {
			flat[i] *= alpha
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(flat, v.Shape().Dimensions...)); err != nil {
			t.Fatal(err)
		}
	}
	setScaled("/wte/weight", 5)
	setScaled("/wpe/weight", 5)
	a, err := m.Attribute(toks, pos, target)
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, s := range a.Scores {
		total += s
	}
	logP := func(alpha float64) float64 {
		setScaled("/wte/weight", float32(alpha))
		setScaled("/wpe/weight", float32(alpha))
		defer setScaled("/wte/weight", float32(1/alpha))
		defer setScaled("/wpe/weight", float32(1/alpha))
		lens, err := m.LogitLens([][]int32{toks})
		if err != nil {
			t.Fatal(err)
		}
		row := lens[c.NLayer].Value().([][][]float32)[0][pos]
		lse := 0.0
		for _, x := range row {
			lse += math.Exp(float64(x) / alpha)
		}
		return float64(row[target])/alpha - math.Log(lse)
	}
	const h = 1e-2
	fd := (logP(1+h) - logP(1-h)) / (2 * h)
	t.Logf("Σ gradient×input = %.5f, central difference d/dα log P(α·x0) = %.5f (log P = %.4f)", total, fd, a.LogProb)
	if math.Abs(total-fd) > 0.03*math.Abs(fd)+1e-4 || math.Abs(fd) < 1e-3 {
		t.Errorf("Σ scores %.6f, finite difference %.6f", total, fd)
	}
}

// TestLowerPrecisionModel: a bfloat16 model keeps bfloat16 weights, trains (its loss falls), and
// its loss is reported in float32; an unsupported dtype is an error.
func TestLowerPrecisionModel(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewWithDType(be, tinyConfig(), dtypes.Int32); err == nil || !strings.Contains(err.Error(), "dtype") {
		t.Errorf("Int32 model: %v", err)
	}
	m, err := NewWithDType(be, tinyConfig(), dtypes.BFloat16)
	if err != nil {
		t.Fatal(err)
	}
	if m.DType() != dtypes.BFloat16 {
		t.Fatalf("DType() = %s", m.DType())
	}
	losses := stepLosses(t, m, tinyRecipe(30), 30)
	if dt := m.Store.GetVariable("/h/0/attn/c_attn/weight").DType(); dt != dtypes.BFloat16 {
		t.Errorf("weights are %s", dt)
	}
	t.Logf("bfloat16 model: loss %.4f → %.4f", losses[0], losses[len(losses)-1])
	if !(losses[len(losses)-1] < losses[0]-0.3) {
		t.Errorf("bfloat16 loss did not fall: %.4f → %.4f", losses[0], losses[len(losses)-1])
	}
}
