package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/datasets"
	"github.com/bert2gpt/bert2gpt/transformer/gpt"
)

func TestGPTParamsAndErrors(t *testing.T) {
	var out bytes.Buffer
	if err := runGPT([]string{"params"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "124439808") {
		t.Fatalf("gpt2 count missing:\n%s", out.String())
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--data", "wiki"}, "shakespeare-char or tang-char"},
		{[]string{"train", "--batch", "0"}, "batch 0"},
		{[]string{"train", "--preset", "gpt9"}, "unknown preset"},
		{[]string{"train", "--resume"}, "--checkpoint"},
		{[]string{"train", "--lr", "-1"}, "--lr -1"},
		{[]string{"generate"}, "exactly one of"},
		{[]string{"generate", "--checkpoint", "x", "--temperature", "-2"}, "temperature"},
		{[]string{"eval"}, "--checkpoint"},
		{[]string{"fly"}, "unknown subcommand"},
	} {
		err := runGPT(c.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
}

// TestGPTTrainEvalGenerate: a few steps on TinyShakespeare, then eval and generate from the checkpoint.
func TestGPTTrainEvalGenerate(t *testing.T) {
	if _, err := datasets.TinyShakespeare(context.Background()); err != nil {
		t.Skipf("TinyShakespeare not available: %v", err)
	}
	dir := t.TempDir()
	var out bytes.Buffer
	err := runGPT([]string{"train", "--iters", "6", "--warmup", "2", "--batch", "2", "--block", "16", "--eval-iters", "2",
		"--eval-every", "0", "--checkpoint", dir, "--progress=false"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
		t.Fatalf("last line is not JSON: %q", lines[len(lines)-1])
	}
	for _, k := range []string{"step", "train_loss", "val_loss", "seconds"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON line lacks %q: %v", k, m)
		}
	}
	if m["step"].(float64) != 6 {
		t.Errorf("step %v, want 6", m["step"])
	}
	out.Reset()
	if err := runGPT([]string{"eval", "--checkpoint", dir, "--batch", "2", "--eval-iters", "2"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"val_loss"`) {
		t.Errorf("eval output %q", out.String())
	}
	out.Reset()
	if err := runGPT([]string{"generate", "--checkpoint", dir, "--prompt", "ROMEO:", "--max-new-tokens", "20"}, &out); err != nil {
		t.Fatal(err)
	}
	if got := []rune(strings.TrimSuffix(out.String(), "\n")); len(got) != len("ROMEO:")+20 {
		t.Errorf("generate printed %d characters (%q), want prompt + 20", len(got), out.String())
	}
}

func TestPresetRecipeKeepsGivenFlags(t *testing.T) {
	flags := gpt.NanoGPTCPU()
	flags.Iters, flags.LR, flags.StopAt = 100, 5e-4, 50
	r := presetRecipe("nanogpt-cpu-fast", flags, map[string]bool{"iters": true, "stop-at": true})
	want := gpt.FastCPU()
	if r.Iters != 100 || r.StopAt != 50 {
		t.Errorf("given --iters/--stop-at lost: %+v", r)
	}
	if r.LR != want.LR || r.EvalEvery != want.EvalEvery {
		t.Errorf("flags not given should come from the preset's recipe %+v, got %+v", want, r)
	}
	if r := presetRecipe("nanogpt-cpu", flags, nil); r.Iters != gpt.NanoGPTCPU().Iters || r.LR != gpt.NanoGPTCPU().LR {
		t.Errorf("nanogpt-cpu without flags: %+v", r)
	}
}
