package bert

import (
	"fmt"
	"path/filepath"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// TestHFParity loads the randomly initialised HF BertForPreTraining checkpoints written by
// scripts/reference/bert_fixtures.py and compares every output with transformers 4.57.3:
// hidden states of every layer, pooled output, MLM and NSP logits. "legacy" stores LayerNorm
// weights as gamma/beta, uses gelu_new, 3 token types and 3 layers.
func TestHFParity(t *testing.T) {
	for _, name := range []string{"tiny", "legacy"} {
		t.Run(name, func(t *testing.T) {
			f := loadCase(t, name)
			m, err := LoadPretrained(testBackend(t), filepath.Join("testdata", name), PreTrainingHeads, 0)
			if err != nil {
				t.Fatal(err)
			}
			r, err := m.Forward(fixtureBatch(t, f))
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Hidden) != m.Config.NumHiddenLayers+1 {
				t.Fatalf("%d hidden states, want %d", len(r.Hidden), m.Config.NumHiddenLayers+1)
			}
			for i, h := range r.Hidden {
				expectClose(t, fmt.Sprintf("hidden_%d", i), h, f[fmt.Sprintf("hidden_%d", i)], parityTolerance)
			}
			expectClose(t, "pooled", r.Pooled, f["pooled"], parityTolerance)
			expectClose(t, "mlm_logits", r.MLMLogits, f["mlm_logits"], parityTolerance)
			expectClose(t, "nsp_logits", r.NSPLogits, f["nsp_logits"], parityTolerance)
			maps, err := m.AttentionMaps(fixtureBatch(t, f))
			if err != nil {
				t.Fatal(err)
			}
			if len(maps) != m.Config.NumHiddenLayers {
				t.Fatalf("%d attention maps, want %d", len(maps), m.Config.NumHiddenLayers)
			}
			for i, w := range maps { // HF's output_attentions (eager attention)
				expectClose(t, fmt.Sprintf("attention_%d", i), w, f[fmt.Sprintf("attention_%d", i)], parityTolerance)
			}
		})
	}
}

// TestHFParityClassifier puts HF's BertForSequenceClassification head (3 labels) on the "tiny"
// encoder and compares the logits.
func TestHFParityClassifier(t *testing.T) {
	f := loadCase(t, "tiny")
	m, err := LoadPretrained(testBackend(t), filepath.Join("testdata", "tiny"), ClassifierHead, 3)
	if err != nil {
		t.Fatal(err)
	}
	w, b := f["classifier/weight"], f["classifier/bias"]
	if err := setVariable(m, "/classifier/weight", tensors.FromFlatDataAndDimensions(w.Data, w.Shape...)); err != nil {
		t.Fatal(err)
	}
	if err := setVariable(m, "/classifier/bias", tensors.FromFlatDataAndDimensions(b.Data, b.Shape...)); err != nil {
		t.Fatal(err)
	}
	r, err := m.Forward(fixtureBatch(t, f))
	if err != nil {
		t.Fatal(err)
	}
	expectClose(t, "cls_logits", r.ClassLogits, f["cls_logits"], parityTolerance)
}

func setVariable(m *Model, path string, value *tensors.Tensor) error {
	if v := m.Store.GetVariable(path); v != nil {
		return v.SetValue(value)
	}
	_, err := m.Store.CreateVariable(path, value)
	return err
}

// TestHFLosses: with HF's labels (−100 where nothing is predicted), MaskedLMLoss and NSPLoss of
// HF's logits equal the loss BertForPreTraining computes (total = MLM + NSP).
func TestHFLosses(t *testing.T) {
	f := loadCase(t, "tiny")
	exec, err := model.NewExec(testBackend(t), model.NewStore(), func(scope *model.Scope, in []*Node) []*Node {
		mlm := MaskedLMLoss(in[0], in[1], nil)
		nsp := NSPLoss(in[2], in[3])
		return []*Node{mlm, nsp, Add(mlm, nsp)}
	})
	if err != nil {
		t.Fatal(err)
	}
	asInt := func(name string) *tensors.Tensor {
		v := f[name]
		data := make([]int32, len(v.Data))
		for i, x := range v.Data {
			data[i] = int32(x)
		}
		return tensors.FromFlatDataAndDimensions(data, v.Shape...)
	}
	asFloat := func(name string) *tensors.Tensor {
		return tensors.FromFlatDataAndDimensions(f[name].Data, f[name].Shape...)
	}
	outs, err := exec.Call(asFloat("mlm_logits"), asInt("mlm_labels"), asFloat("nsp_logits"), asInt("nsp_labels"))
	if err != nil {
		t.Fatal(err)
	}
	expectClose(t, "mlm_loss", outs[0], f["mlm_loss"], 1e-5)
	expectClose(t, "nsp_loss", outs[1], f["nsp_loss"], 1e-5)
	expectClose(t, "total_loss", outs[2], f["total_loss"], 1e-5)
}
