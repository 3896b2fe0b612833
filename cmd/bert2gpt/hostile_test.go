package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/datasets"
	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/gomlx/core/tensors"
)

// run runs the binary and returns its standard output and standard error separately.
func run(t *testing.T, bin string, env []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// failsWith checks that a command failed with an error mentioning every part, without a stack trace.
func failsWith(t *testing.T, what, stdout, stderr string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: succeeded, want an error mentioning %q\n%s%s", what, parts, stdout, stderr)
		return
	}
	for _, p := range parts {
		if !strings.Contains(stderr, p) {
			t.Errorf("%s: error output does not mention %q:\n%s", what, p, stderr)
		}
	}
	if strings.Contains(stdout+stderr, "goroutine ") {
		t.Errorf("%s: stack trace in the output:\n%s", what, stderr)
	}
}

// TestCLIGPTHostile: the cases of issue 18 through the binary — checkpoints are not overwritten
// without --resume or --overwrite, flags given with --resume must agree with the checkpoint, bad
// flags are named, damaged files are errors without stack traces, and standard output carries
// only the JSON line while the progress line goes to standard error.
func TestCLIGPTHostile(t *testing.T) {
	if _, err := datasets.TinyShakespeare(context.Background()); err != nil {
		t.Skipf("TinyShakespeare not available: %v", err)
	}
	bin := buildCLI(t)
	dir := filepath.Join(t.TempDir(), "ckpt")
	train := []string{"gpt", "train", "--iters", "4", "--warmup", "1", "--batch", "2", "--block", "16", "--eval-iters", "1",
		"--eval-every", "0", "--checkpoint", dir}
	stdout, stderr, err := run(t, bin, nil, train...) // the progress line is on by default
	if err != nil {
		t.Fatalf("train: %v\n%s", err, stderr)
	}
	var m map[string]any
	if strings.Count(stdout, "\n") != 1 || json.Unmarshal([]byte(stdout), &m) != nil || strings.Contains(stdout, "\x1b") {
		t.Errorf("standard output is not exactly one JSON line:\n%q", stdout)
	}
	if !strings.Contains(stderr, "step 4/4") {
		t.Errorf("no progress line on standard error:\n%s", stderr)
	}
	before, _ := os.ReadFile(filepath.Join(dir, training.CheckpointFile))

	stdout, stderr, err = run(t, bin, nil, train...)
	failsWith(t, "train over a checkpoint", stdout, stderr, err, "already holds a checkpoint", "--resume", "--overwrite")
	if after, _ := os.ReadFile(filepath.Join(dir, training.CheckpointFile)); !bytes.Equal(before, after) {
		t.Error("the refused run changed the checkpoint")
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--resume", "--block", "32"}, []string{"--block 32", "context of 16"}},
		{[]string{"--resume", "--preset", "gpt2"}, []string{"--preset gpt2", `"nanogpt-cpu"`}},
		{[]string{"--resume", "--overwrite"}, []string{"--resume and --overwrite"}},
		{[]string{"--resume", "--data", "tang-char"}, []string{"--data tang-char", "shakespeare-char"}},
		{[]string{"--resume", "--positions", "rope"}, []string{"--positions rope", `positions ""`}},
	} {
		stdout, stderr, err = run(t, bin, nil, append(train, c.args...)...)
		failsWith(t, strings.Join(c.args, " "), stdout, stderr, err, c.want...)
	}
	resume := append(append([]string(nil), train...), "--resume")
	resume[3] = "6" // --iters 6
	stdout, stderr, err = run(t, bin, nil, resume...)
	if err != nil || !strings.Contains(stderr, "resuming from") || !strings.Contains(stdout, `"step":6`) || !strings.Contains(stdout, `"preset":"nanogpt-cpu"`) {
		t.Errorf("resume: %v\n%s%s", err, stdout, stderr)
	}
	if stdout, stderr, err = run(t, bin, nil, append(train, "--overwrite", "--progress=false")...); err != nil || !strings.Contains(stdout, `"step":4`) {
		t.Errorf("--overwrite: %v\n%s%s", err, stdout, stderr)
	}

	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"gpt", "train", "--stop-at", "5000", "--iters", "2"}, []string{"--stop-at 5000", "[0, 2]"}},
		{[]string{"gpt", "train", "--resume", "--checkpoint", t.TempDir()}, []string{"--resume", "holds no checkpoint"}},
		{[]string{"gpt", "train", "--block", "-3"}, []string{"--block -3"}},
		{[]string{"gpt", "train", "--dropout", "1.5"}, []string{"--dropout 1.5"}},
		{[]string{"gpt", "train", "--positions", "alibi"}, []string{"--positions alibi", "rope"}},
		{[]string{"gpt", "generate", "--checkpoint", dir, "--max-new-tokens", "9223372036854775807"}, []string{"--max-new-tokens 9223372036854775807", "[1, 16777216]"}},
		{[]string{"gpt", "generate", "--checkpoint", dir, "--top-p", "2"}, []string{"--top-p 2"}},
		{[]string{"gpt", "eval", "--checkpoint", dir, "--batch", "0"}, []string{"--batch 0"}},
	} {
		stdout, stderr, err = run(t, bin, nil, c.args...)
		failsWith(t, strings.Join(c.args, " "), stdout, stderr, err, c.want...)
	}
	stdout, stderr, err = run(t, bin, []string{"BERT2GPT_MEMORY_LIMIT=64G"}, "gpt", "train", "--preset", "gpt3-175b")
	failsWith(t, "gpt3-175b", stdout, stderr, err, "--preset gpt3-175b", "needs", "BERT2GPT_MEMORY_LIMIT")

	// A checkpoint with every tensor but /wte/weight deleted generated text with exit 0.
	ts, meta, err := training.ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	partial := t.TempDir()
	if err := training.WriteSafetensors(filepath.Join(partial, training.CheckpointFile), map[string]*tensors.Tensor{"/wte/weight": ts["/wte/weight"]}, nil, meta); err != nil {
		t.Fatal(err)
	}
	vocab, _ := os.ReadFile(filepath.Join(dir, charVocabFile))
	os.WriteFile(filepath.Join(partial, charVocabFile), vocab, 0o644)
	stdout, stderr, err = run(t, bin, nil, "gpt", "generate", "--checkpoint", partial, "--max-new-tokens", "5")
	failsWith(t, "only /wte/weight", stdout, stderr, err, "--checkpoint", "missing tensor", "/h/0/")
	// A vocabulary of another size than the model's.
	os.WriteFile(filepath.Join(partial, training.CheckpointFile), mustRead(t, filepath.Join(dir, training.CheckpointFile)), 0o644)
	os.WriteFile(filepath.Join(partial, charVocabFile), []byte(`{"tokens": ["a", "b"], "specials": {}}`), 0o644)
	stdout, stderr, err = run(t, bin, nil, "gpt", "generate", "--checkpoint", partial, "--max-new-tokens", "5")
	failsWith(t, "vocabulary", stdout, stderr, err, "char_vocab.txt has 2 characters", "vocabulary 65")

	// Hugging Face directories: a shape whose element count overflows, and a config.json memory bomb.
	hf := t.TempDir()
	for _, f := range []string{"config.json", "vocab.json", "merges.txt"} {
		os.WriteFile(filepath.Join(hf, f), mustRead(t, filepath.Join("..", "..", "transformer", "gpt", "testdata", "hf-tiny", f)), 0o644)
	}
	os.WriteFile(filepath.Join(hf, "model.safetensors"), safetensorsWith(`{"transformer.wte.weight":{"dtype":"F32","shape":[4611686018427388032],"data_offsets":[0,512]}}`, 512), 0o644)
	stdout, stderr, err = run(t, bin, nil, "gpt", "generate", "--hf", hf)
	failsWith(t, "[2^62+128] shape", stdout, stderr, err, "--hf", "wte.weight", "needs more bytes than the 512 bytes")
	os.WriteFile(filepath.Join(hf, "config.json"), []byte(`{"vocab_size": 1000, "n_positions": 64, "n_embd": 32, "n_layer": 100000000, "n_head": 4}`), 0o644)
	stdout, stderr, err = run(t, bin, nil, "gpt", "generate", "--hf", hf)
	failsWith(t, "n_layer 1e8", stdout, stderr, err, "n_layer = 100000000", "gpt.MaxLayers")
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// safetensorsWith returns a safetensors file with the given JSON header and n zero data bytes.
func safetensorsWith(header string, n int) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.LittleEndian, uint64(len(header)))
	b.WriteString(header)
	b.Write(make([]byte, n))
	return b.Bytes()
}
