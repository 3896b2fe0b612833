package gpt

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/gomlx/gomlx/core/tensors"
)

type hfFixture struct {
	IDs         [][]int32 `json:"ids"`
	Logits      []float32 `json:"logits"`
	LogitsShape []int     `json:"logits_shape"`
	HFLoss      float64   `json:"hf_loss"`
	Prompt      []int32   `json:"prompt"`
	PromptText  string    `json:"prompt_text"`
	Greedy      []int32   `json:"greedy"`
}

func readFixture(t *testing.T) hfFixture {
	t.Helper()
	data, err := os.ReadFile("testdata/hf_tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	var f hfFixture
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func loadTiny(t *testing.T) *Model {
	t.Helper()
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	m, err := LoadHF(be, "testdata/hf-tiny")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func maxAbsDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// TestHFParity: logits of transformers' GPT2LMHeadModel (random weights) within 1e-4.
func TestHFParity(t *testing.T) {
	f := readFixture(t)
	m := loadTiny(t)
	out, err := m.Logits(f.IDs)
	if err != nil {
		t.Fatal(err)
	}
	got := tensors.MustCopyFlatData[float32](out)
	if len(got) != len(f.Logits) {
		t.Fatalf("got %d logits, want %d (shape %v)", len(got), len(f.Logits), f.LogitsShape)
	}
	if d := maxAbsDiff(got, f.Logits); d > 1e-4 {
		t.Fatalf("max |Δlogits| = %g > 1e-4", d)
	} else {
		t.Logf("max |Δlogits| vs HF = %.3g", d)
	}
}

func TestHFGreedy(t *testing.T) {
	f := readFixture(t)
	m := loadTiny(t)
	for _, cached := range []bool{true, false} {
		got, err := m.Generate(f.Prompt, GenerateOptions{MaxNewTokens: len(f.Greedy), NoCache: !cached})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(f.Greedy) {
			t.Fatalf("cached=%v: got %v, HF %v", cached, got, f.Greedy)
		}
		for i := range got {
			if got[i] != f.Greedy[i] {
				t.Fatalf("cached=%v: greedy continuation %v, HF %v", cached, got, f.Greedy)
			}
		}
	}
}

// TestHFLoss: our causal-LM loss equals HF's loss (labels = ids, shifted inside HF).
func TestHFLoss(t *testing.T) {
	f := readFixture(t)
	m := loadTiny(t)
	inputs := make([][]int32, len(f.IDs))
	targets := make([][]int32, len(f.IDs))
	for b, row := range f.IDs {
		inputs[b] = row[:len(row)-1]
		targets[b] = row[1:]
	}
	loss, err := m.Loss(inputs, targets)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(loss-f.HFLoss) > 1e-5 {
		t.Fatalf("loss %.7f, HF %.7f", loss, f.HFLoss)
	}
}

func TestExportHFRoundTrip(t *testing.T) {
	f := readFixture(t)
	m := loadTiny(t)
	dir := t.TempDir()
	if w := os.Getenv("BERT2GPT_WRITE_EXPORT"); w != "" {
		dir = w
	}
	if err := m.ExportHF(dir); err != nil {
		t.Fatal(err)
	}
	want, err := m.Logits(f.IDs)
	if err != nil {
		t.Fatal(err)
	}
	wantFlat := tensors.MustCopyFlatData[float32](want)
	exp, _ := json.Marshal(map[string]any{"ids": f.IDs, "logits": wantFlat})
	if err := os.WriteFile(filepath.Join(dir, "expected.json"), exp, 0o644); err != nil {
		t.Fatal(err)
	}
	m2, err := LoadHF(m.Backend, dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m2.Logits(f.IDs)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(tensors.MustCopyFlatData[float32](got), wantFlat); d != 0 {
		t.Fatalf("reloaded export differs by %g", d)
	}
}

// TestHFTokenizer: our byte-level BPE reads the directory's vocab.json + merges.txt and encodes the
// prompt to the ids GPT2TokenizerFast gave.
func TestHFTokenizer(t *testing.T) {
	f := readFixture(t)
	tok, err := LoadTokenizer("testdata/hf-tiny")
	if err != nil {
		t.Fatal(err)
	}
	ids, err := tok.Encode(f.PromptText)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len(f.Prompt) {
		t.Fatalf("ids %v, HF %v", ids, f.Prompt)
	}
	for i := range ids {
		if int32(ids[i]) != f.Prompt[i] {
			t.Fatalf("ids %v, HF %v", ids, f.Prompt)
		}
	}
	if text, err := tok.Decode(ids); err != nil || text != f.PromptText {
		t.Fatalf("decode %q, %v", text, err)
	}
}
