package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/transformer/bert"
	"github.com/bert2gpt/bert2gpt/transformer/training"
)

// runCLI runs the binary and returns its combined output and error.
func runCLI(t *testing.T, bin string, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	return string(out), err
}

// lastJSON parses the last line of out as the final metrics object.
func lastJSON(t *testing.T, out string) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
		t.Fatalf("last line is not a JSON object: %v\n%s", err, out)
	}
	return m
}

// TestCLIBert runs a tiny pretrain → eval → fill-mask → export → finetune on real Tang (and Song)
// poems, then checks that bad flags give clear errors.
func TestCLIBert(t *testing.T) {
	bin := buildCLI(t)
	dir := filepath.Join(t.TempDir(), "ckpt")
	small := []string{"--max-poems", "300", "--seq-len", "16", "--batch", "4", "--size", "tiny", "--hidden", "32",
		"--layers", "1", "--heads", "2", "--eval-batches", "1", "--eval-every", "2", "--warmup", "1", "--no-progress"}
	out, err := runCLI(t, bin, append([]string{"bert", "pretrain", "--checkpoint", dir, "--steps", "3"}, small...)...)
	if err != nil {
		t.Fatalf("pretrain: %v\n%s", err, out)
	}
	m := lastJSON(t, out)
	if m["step"] != 3.0 || m["val_mlm_loss"] == nil || m["val_nsp_accuracy"] == nil {
		t.Errorf("pretrain metrics %v", m)
	}
	// Resume to step 4.
	out, err = runCLI(t, bin, append([]string{"bert", "pretrain", "--checkpoint", dir, "--steps", "4", "--resume"}, small...)...)
	if err != nil || !strings.Contains(out, "resuming from") || lastJSON(t, out)["step"] != 4.0 {
		t.Errorf("resume: %v\n%s", err, out)
	}
	out, err = runCLI(t, bin, "bert", "eval", "--checkpoint", dir, "--eval-batches", "2")
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, out)
	}
	if m := lastJSON(t, out); m["step"] != 4.0 || m["val_examples"] != 8.0 {
		t.Errorf("eval metrics %v", m)
	}
	out, err = runCLI(t, bin, "bert", "fill-mask", "--checkpoint", dir, "--text", "床前明月[MASK]", "--top-k", "3")
	if err != nil || strings.Count(out, "床前明月") != 3 || !strings.Contains(out, "[MASK] at token 4") {
		t.Errorf("fill-mask: %v\n%s", err, out)
	}
	hf := filepath.Join(t.TempDir(), "hf")
	if out, err = runCLI(t, bin, "bert", "export", "--checkpoint", dir, "--out", hf); err != nil {
		t.Errorf("export: %v\n%s", err, out)
	}
	out, err = runCLI(t, bin, "bert", "finetune", "--pretrained", dir, "--per-class", "20", "--steps", "2", "--warmup", "0",
		"--seq-len", "16", "--batch", "4", "--no-progress")
	if err != nil {
		t.Fatalf("finetune: %v\n%s", err, out)
	}
	if m := lastJSON(t, out); m["step"] != 2.0 || m["val_accuracy"] == nil || m["pretrained"] != true {
		t.Errorf("finetune metrics %v", m)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bert"}, "missing subcommand"},
		{[]string{"bert", "nope"}, `unknown subcommand "nope"`},
		{[]string{"bert", "pretrain"}, "--checkpoint DIR is required"},
		{[]string{"bert", "pretrain", "--checkpoint", dir, "--size", "huge"}, `unknown BERT size "huge"`},
		{[]string{"bert", "pretrain", "--checkpoint", dir, "--seq-len", "100"}, "longer than"},
		{[]string{"bert", "pretrain", "--checkpoint", dir, "--steps", "10", "--warmup", "10"}, "--warmup"},
		{[]string{"bert", "pretrain", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"bert", "eval", "--checkpoint", t.TempDir()}, "not a `bert pretrain` checkpoint"},
		{[]string{"bert", "fill-mask", "--checkpoint", dir, "--text", "床前明月光"}, "has no [MASK]"},
		{[]string{"bert", "fill-mask", "--checkpoint", dir}, "--text TEXT are required"},
		{[]string{"bert", "finetune", "--pretrained", dir, "--per-class", "5"}, "--per-class 5"},
		// Issue 18: negative sizes were trained with defaults, an existing checkpoint was resumed
		// silently, --steps 2 listed every size instead of the warm-up.
		{[]string{"bert", "pretrain", "--checkpoint", t.TempDir(), "--hidden", "-32"}, "--hidden -32"},
		{[]string{"bert", "pretrain", "--checkpoint", t.TempDir(), "--layers", "-1", "--heads", "-2"}, "--layers -1"},
		{append([]string{"bert", "pretrain", "--checkpoint", dir, "--steps", "5"}, small...), "already holds a checkpoint"},
		{append(append([]string{"bert", "pretrain", "--checkpoint", dir, "--steps", "5", "--resume"}, small...), "--hidden", "64"), "--hidden 64"},
		{append(append([]string{"bert", "pretrain", "--checkpoint", dir, "--steps", "5", "--resume"}, small...), "--min-freq", "1"), "--min-freq"},
		{[]string{"bert", "finetune", "--pretrained", dir, "--steps", "2"}, "--warmup 30 must be < --steps 2"},
		{[]string{"bert", "finetune", "--pretrained", dir, "--checkpoint", dir}, "already holds a checkpoint"},
		{[]string{"bert", "export", "--checkpoint", dir, "--out", hf}, "--out " + hf + " already holds"},
	} {
		out, err := runCLI(t, bin, tc.args...)
		if err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("%v: want an error mentioning %q, got %v\n%s", tc.args, tc.want, err, out)
		}
		if strings.Contains(out, "goroutine ") {
			t.Errorf("%v: stack trace in output:\n%s", tc.args, out)
		}
	}

	// Damaged checkpoints: without the encoder (fill-mask ran on random weights), a data.json
	// with a huge sequence length, a vocabulary of another size.
	broken := filepath.Join(t.TempDir(), "broken")
	if err := os.CopyFS(broken, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	ts, meta, err := training.ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	for k := range ts {
		if strings.HasPrefix(k, "/bert/encoder/") {
			delete(ts, k)
		}
	}
	if err := training.WriteSafetensors(filepath.Join(broken, training.CheckpointFile), ts, nil, meta); err != nil {
		t.Fatal(err)
	}
	out, err = runCLI(t, bin, "bert", "fill-mask", "--checkpoint", broken, "--text", "床前明月[MASK]")
	if err == nil || !strings.Contains(out, "missing tensor") || !strings.Contains(out, "/bert/encoder/layer_0/") || strings.Contains(out, "goroutine ") {
		t.Errorf("fill-mask without an encoder: %v\n%s", err, out)
	}
	os.WriteFile(filepath.Join(broken, "data.json"), []byte(`{"max_poems":300,"valid_fraction":0.05,"min_freq":3,"seq_len":1000000000,"batch":4}`), 0o644)
	out, err = runCLI(t, bin, "bert", "eval", "--checkpoint", broken)
	if err == nil || !strings.Contains(out, "--seq-len must be in") || !strings.Contains(out, "data.json") {
		t.Errorf("eval with seq_len 1e9 in data.json: %v\n%s", err, out)
	}
	os.WriteFile(filepath.Join(broken, bert.VocabFile), []byte(`{"tokens": ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "床"], "specials": {"Pad": "[PAD]", "Unknown": "[UNK]", "CLS": "[CLS]", "SEP": "[SEP]", "Mask": "[MASK]"}}`), 0o644)
	out, err = runCLI(t, bin, "bert", "fill-mask", "--checkpoint", broken, "--text", "床前明月[MASK]")
	if err == nil || !strings.Contains(out, "vocabulary has 6 tokens") {
		t.Errorf("fill-mask with a 6-token vocabulary: %v\n%s", err, out)
	}
}
