package gpt

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// TestLoadWeights: a model loaded with LoadWeights has the checkpoint's weights (same loss) but no
// training state: global step 0, no optimizer variables, and training it again starts from step 0.
func TestLoadWeights(t *testing.T) {
	toks, val := tinyTokens(2000), tinyTokens(500)
	m := newTestModel(t, tinyConfig())
	dir := t.TempDir()
	r := tinyRecipe(4)
	r.CheckpointDir = dir
	if _, err := m.Train(r, toks, val, m.CheckpointMeta(nil)); err != nil {
		t.Fatal(err)
	}
	w, meta, err := LoadWeights(m.Backend, dir)
	if err != nil {
		t.Fatal(err)
	}
	if meta[MetaConfig] == "" {
		t.Error("metadata lost")
	}
	in, tg := [][]int32{toks[:16]}, [][]int32{toks[1:17]}
	a, errA := m.Loss(in, tg)
	b, errB := w.Loss(in, tg)
	if errA != nil || errB != nil || math.Abs(a-b) > 1e-6 {
		t.Fatalf("loss trained %g (%v), loaded %g (%v)", a, errA, b, errB)
	}
	if step := optimizer.GetGlobalStep(w.Store); step != 0 {
		t.Errorf("global step %d, want 0", step)
	}
	if n, full := w.Store.NumVariables(), m.Store.NumVariables(); n >= full {
		t.Errorf("%d variables loaded, the trained store has %d: optimizer state came along", n, full)
	}
	res, err := w.Train(tinyRecipe(2), toks, val, nil)
	if err != nil || res.Step != 2 {
		t.Fatalf("training the loaded weights: step %d, %v", res.Step, err)
	}
	if _, _, err := LoadWeights(m.Backend, t.TempDir()); err == nil {
		t.Error("an empty directory must be an error")
	}
}
