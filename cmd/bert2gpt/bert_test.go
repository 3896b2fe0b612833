package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
	out, err = runCLI(t, bin, append([]string{"bert", "pretrain", "--checkpoint", dir, "--steps", "4"}, small...)...)
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
	} {
		out, err := runCLI(t, bin, tc.args...)
		if err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("%v: want an error mentioning %q, got %v\n%s", tc.args, tc.want, err, out)
		}
		if strings.Contains(out, "goroutine ") {
			t.Errorf("%v: stack trace in output:\n%s", tc.args, out)
		}
	}
}
