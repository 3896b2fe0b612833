package bert

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

// TestExportRoundTrip: exporting the HF fixture model and loading the export gives the same
// outputs as transformers, and exporting is deterministic (same bytes twice).
func TestExportRoundTrip(t *testing.T) {
	f := loadCase(t, "tiny")
	m, err := LoadPretrained(testBackend(t), filepath.Join("testdata", "tiny"), PreTrainingHeads, 0)
	if err != nil {
		t.Fatal(err)
	}
	dir1, dir2 := t.TempDir(), t.TempDir()
	if err := m.ExportHF(dir1); err != nil {
		t.Fatal(err)
	}
	if err := m.ExportHF(dir2); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(dir1, "model.safetensors"))
	b, _ := os.ReadFile(filepath.Join(dir2, "model.safetensors"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("export is not deterministic (%d and %d bytes)", len(a), len(b))
	}
	back, err := LoadPretrained(testBackend(t), dir1, PreTrainingHeads, 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := back.Forward(fixtureBatch(t, f))
	if err != nil {
		t.Fatal(err)
	}
	expectClose(t, "mlm_logits", r.MLMLogits, f["mlm_logits"], parityTolerance)
	expectClose(t, "nsp_logits", r.NSPLogits, f["nsp_logits"], parityTolerance)
}

// exportDir holds a model initialised and exported by this package, the inputs, and the
// outputs transformers computed after loading it (hf_outputs.json, written by
// scripts/reference/bert_fixtures.py --check-export, which also fails on any missing or
// unexpected key). Regenerate with
//
//	BERT2GPT_WRITE_EXPORT=1 go test ./transformer/bert -run TestExportLoadsInHF
//	.venv-ref/bin/python scripts/reference/bert_fixtures.py --check-export transformer/bert/testdata/export
var exportDir = filepath.Join("testdata", "export")

func exportInputs() Batch {
	return Batch{
		InputIDs:      [][]int32{{2, 7, 9, 4, 11, 3, 13, 17, 3}, {2, 21, 4, 8, 3, 30, 3, 0, 0}},
		TokenTypeIDs:  [][]int32{{0, 0, 0, 0, 0, 0, 1, 1, 1}, {0, 0, 0, 0, 0, 1, 1, 0, 0}},
		AttentionMask: [][]int32{{1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 0, 0}},
	}
}

// TestExportLoadsInHF: the outputs of our model on the exported checkpoint equal those of
// transformers' BertForPreTraining.from_pretrained on the same directory.
func TestExportLoadsInHF(t *testing.T) {
	if os.Getenv("BERT2GPT_WRITE_EXPORT") == "1" {
		writeExport(t)
	}
	m, err := LoadPretrained(testBackend(t), exportDir, PreTrainingHeads, 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.Forward(exportInputs())
	if err != nil {
		t.Fatal(err)
	}
	hf := readFixture(t, filepath.Join(exportDir, "hf_outputs.json"))
	for i, h := range r.Hidden {
		name := "hidden_" + string(rune('0'+i))
		expectClose(t, name, h, hf[name], parityTolerance)
	}
	expectClose(t, "pooled", r.Pooled, hf["pooled"], parityTolerance)
	expectClose(t, "mlm_logits", r.MLMLogits, hf["mlm_logits"], parityTolerance)
	expectClose(t, "nsp_logits", r.NSPLogits, hf["nsp_logits"], parityTolerance)
}

// writeExport initialises a small model with New (HF's initialisation), perturbs every variable
// so that biases and LayerNorms matter too, and exports it with the inputs.
func writeExport(t *testing.T) {
	c := TinyConfig(40)
	c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers, c.NumAttentionHeads, c.MaxPositionEmbeddings = 16, 32, 2, 2, 12
	m, err := New(testBackend(t), c, PreTrainingHeads, 0)
	if err != nil {
		t.Fatal(err)
	}
	seedStore(m.Store, 5)
	if _, err := m.Forward(exportInputs()); err != nil { // creates the variables
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 5))
	for v := range m.Store.IterVariables() {
		value, err := v.Value()
		if err != nil {
			t.Fatal(err)
		}
		data, ok := value.Value().([]float32)
		if !ok {
			flat, err := tensors.CopyFlatData[float32](value)
			if err != nil {
				continue // not a float32 variable (e.g. the RNG state)
			}
			data = flat
		}
		for i := range data {
			data[i] += float32(r.NormFloat64() * 0.05)
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(data, value.Shape().Dimensions...)); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.ExportHF(exportDir); err != nil {
		t.Fatal(err)
	}
	in := exportInputs()
	enc := func(rows [][]int32) map[string]any {
		var flat []int32
		for _, row := range rows {
			flat = append(flat, row...)
		}
		return map[string]any{"shape": []int{len(rows), len(rows[0])}, "data": flat}
	}
	raw, _ := json.Marshal(map[string]any{"tensors": map[string]any{"input_ids": enc(in.InputIDs),
		"token_type_ids": enc(in.TokenTypeIDs), "attention_mask": enc(in.AttentionMask)}})
	if err := os.WriteFile(filepath.Join(exportDir, "inputs.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Skip("wrote the export; now run scripts/reference/bert_fixtures.py --check-export " + exportDir)
}
