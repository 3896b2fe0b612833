package bert

import (
	"math"
	"testing"

	"github.com/bert2gpt/bert2gpt/datasets"
	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
)

// toyClassification labels a toy document by whether its first token is below 17.
func toyClassification(docs [][][]int) []datasets.ClassificationExample {
	var out []datasets.ClassificationExample
	for _, d := range docs {
		label := 0
		if d[0][0] >= 17 {
			label = 1
		}
		out = append(out, datasets.ClassificationExample{A: append(append([]int(nil), d[0]...), d[1]...), Label: label})
	}
	return out
}

// toyPretrained pre-trains the toy model for two steps into a temporary directory and returns
// the directory, the options used and the checkpoint's tensors.
func toyPretrained(t *testing.T, b compute.Backend) (dir string, po PretrainOptions, saved map[string]*tensors.Tensor) {
	t.Helper()
	dir = t.TempDir()
	po = toyOptions(dir)
	po.Steps, po.EvalBatches = 2, 0
	if _, _, err := Pretrain(b, po); err != nil {
		t.Fatal(err)
	}
	saved, _, err := training.ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, po, saved
}

// TestFinetuneFromPretrained: the fine-tuned model starts from the pre-trained encoder (after
// one update with a tiny learning rate the encoder weights are still the checkpoint's), and a
// short fine-tuning run learns the toy task.
func TestFinetuneFromPretrained(t *testing.T) {
	b := testBackend(t)
	dir, po, saved := toyPretrained(t, b)
	o := FinetuneOptions{Model: po.Model, Pretrained: dir, NumLabels: 2, Train: toyClassification(toyDocs(200, 3)),
		Valid: toyClassification(toyDocs(40, 4)), Specials: po.Specials, SeqLen: 14, BatchSize: 16, Steps: 1, LR: 1e-9, Seed: 3}
	m, _, err := Finetune(b, o)
	if err != nil {
		t.Fatal(err)
	}
	const name = "/bert/encoder/layer_0/ffn/linear1/weight"
	got, err := m.Store.GetVariable(name).Value()
	if err != nil {
		t.Fatal(err)
	}
	g, w := tensors.MustCopyFlatData[float32](got), tensors.MustCopyFlatData[float32](saved[name])
	for i := range w {
		if math.Abs(float64(g[i]-w[i])) > 1e-6 {
			t.Fatalf("%s[%d] = %g after fine-tuning, checkpoint has %g: the encoder was not loaded", name, i, g[i], w[i])
		}
	}
	o.Steps, o.WarmupSteps, o.LR = 120, 10, 3e-3
	o.Model.HiddenDropoutProb = 0
	_, res, err := Finetune(b, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.ValidAccuracy < 0.8 || res.ValidExamples != 40 || !res.Pretrained {
		t.Errorf("fine-tuning the toy task: %+v, want accuracy ≥ 0.8 on 40 examples", res)
	}
}

// TestFinetuneFreezeAndEval: with FreezeEncoder only the classifier changes (the encoder and
// pooler keep the checkpoint's values), and EvalEvery/OnEval/OnStep report every step and
// evaluation.
func TestFinetuneFreezeAndEval(t *testing.T) {
	b := testBackend(t)
	dir, po, saved := toyPretrained(t, b)
	var evals []FinetuneMetrics
	var steps []int64
	o := FinetuneOptions{Model: po.Model, Pretrained: dir, NumLabels: 2, Train: toyClassification(toyDocs(200, 3)),
		Valid: toyClassification(toyDocs(40, 4)), Specials: po.Specials, SeqLen: 14, BatchSize: 16, Steps: 6, LR: 1e-2, Seed: 3,
		FreezeEncoder: true, EvalEvery: 2,
		OnEval: func(m FinetuneMetrics) { evals = append(evals, m) },
		OnStep: func(step int64, _ float64) { steps = append(steps, step) }}
	m, final, err := Finetune(b, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"/bert/encoder/layer_0/ffn/linear1/weight", "/bert/pooler/dense/weight"} {
		got, err := m.Store.GetVariable(name).Value()
		if err != nil {
			t.Fatal(err)
		}
		g, w := tensors.MustCopyFlatData[float32](got), tensors.MustCopyFlatData[float32](saved[name])
		for i := range w {
			if g[i] != w[i] {
				t.Fatalf("%s[%d] = %g after frozen fine-tuning, checkpoint has %g", name, i, g[i], w[i])
			}
		}
	}
	if len(steps) != 6 || steps[5] != 6 {
		t.Errorf("OnStep saw steps %v, want 1…6", steps)
	}
	if len(evals) != 3 || evals[0].Step != 2 || evals[2].Step != 6 || evals[2].ValidExamples != 40 {
		t.Fatalf("OnEval saw %+v, want steps 2, 4, 6 on 40 examples", evals)
	}
	if last := evals[2]; math.Abs(last.ValidAccuracy-final.ValidAccuracy) > 1e-9 || math.Abs(last.ValidLoss-final.ValidLoss) > 1e-6 {
		t.Errorf("last evaluation %+v differs from the final metrics %+v", last, final)
	}
	// The classifier did train.
	cls, _ := m.Store.GetVariable("/classifier/weight").Value()
	if cls == nil {
		t.Fatal("no /classifier/weight")
	}
}
