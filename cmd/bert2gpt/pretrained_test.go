package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/transformer/pretrained"
	"github.com/bert2gpt/bert2gpt/transformer/pretrained/hubtest"
	"github.com/bert2gpt/bert2gpt/transformer/training"
)

var tinyBERT = filepath.Join("..", "..", "transformer", "bert", "testdata", "tiny")
var tinyGPT2 = filepath.Join("..", "..", "transformer", "gpt", "testdata", "hf-tiny")

func embedJSON(t *testing.T, args ...string) embedOutput {
	t.Helper()
	var out bytes.Buffer
	if err := runEmbed(args, strings.NewReader("from standard input\n\nsecond line\n"), &out); err != nil {
		t.Fatal(err)
	}
	var e embedOutput
	if err := json.Unmarshal(out.Bytes(), &e); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	return e
}

func norm(v []float32) float64 {
	s := 0.0
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

// TestEmbedCommand: texts from flags and standard input, poolings and normalisation chosen or read
// from the model, JSON on standard output.
func TestEmbedCommand(t *testing.T) {
	e := embedJSON(t, "--model", tinyBERT, "--text", "hello world", "--text", strings.Repeat("a ", 40), "--file", "-")
	if e.Dimension != 24 || len(e.Embeddings) != 4 || len(e.Embeddings[0]) != 24 || e.Pooling != "mean" || e.Normalized || e.MaxLength != 16 {
		t.Fatalf("output %+v", e)
	}
	if !e.Truncated[1] || e.Truncated[0] || e.Tokens[1] != 16 {
		t.Errorf("tokens %v, truncated %v", e.Tokens, e.Truncated)
	}
	e2 := embedJSON(t, "--model", tinyBERT, "--text", "hello world", "--pooling", "cls", "--normalize", "true", "--digits", "4")
	if e2.Pooling != "cls" || !e2.Normalized || math.Abs(norm(e2.Embeddings[0])-1) > 1e-3 {
		t.Errorf("cls, normalised: %+v (norm %g)", e2, norm(e2.Embeddings[0]))
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--text", "x"}, "--model is required"},
		{[]string{"--model", tinyBERT}, "nothing to embed"},
		{[]string{"--model", tinyBERT, "--text", "x", "--pooling", "max"}, `--pooling "max"`},
		{[]string{"--model", tinyBERT, "--text", "x", "--normalize", "yes"}, `--normalize "yes"`},
		{[]string{"--model", tinyBERT, "--text", "x", "--batch", "0"}, "--batch 0"},
		{[]string{"--model", tinyBERT, "--text", "x", "--digits", "12"}, "--digits 12"},
		{[]string{"--model", tinyBERT, "--file", "/no/such/file"}, "--file"},
		{[]string{"--model", "no/such/dir/here", "--text", "x"}, "not a hub id"},
		{[]string{"--model", tinyGPT2, "--text", "x"}, "--model"},
		{[]string{"--model", tinyBERT, "stray"}, "unexpected arguments"},
	} {
		err := runEmbed(c.args, strings.NewReader(""), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q", c.args, err, c.want)
		}
	}
}

// TestEmbedMiniLM: the command's embeddings of the real all-MiniLM-L6-v2 equal
// sentence-transformers' (the fixture of transformer/bert).
func TestEmbedMiniLM(t *testing.T) {
	dir, err := pretrained.Bundled(pretrained.MiniLM)
	if err != nil {
		if os.Getenv("BERT2GPT_REQUIRE_MODELS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	e := embedJSON(t, "--model", dir, "--text", "A man is eating food.", "--text", "A man is eating a piece of bread.")
	if e.Dimension != 384 || e.Pooling != "mean" || !e.Normalized || e.MaxLength != 256 {
		t.Errorf("output %+v", e)
	}
	ref, _, err := training.ReadSafetensors(filepath.Join("..", "..", "transformer", "bert", "testdata", "minilm", "reference.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	want := ref["mean_normalized"].Value().([][]float32)
	for i, got := range e.Embeddings {
		for j := range got {
			if d := math.Abs(float64(got[j] - want[i][j])); d > 1e-5 {
				t.Fatalf("embedding %d [%d] = %g, sentence-transformers %g", i, j, got[j], want[i][j])
			}
		}
	}
}

// TestPretrainedCommandsThroughTheHub: `embed --model ID` and `gpt generate --hf ID` download
// through a fake hub (HF_ENDPOINT) into HF_HUB_CACHE, then run offline from it; with nothing cached,
// offline mode fails with one clear line.
func TestPretrainedCommandsThroughTheHub(t *testing.T) {
	srv := hubtest.New(t)
	add := func(id, dir string, names ...string) {
		files := map[string][]byte{}
		for _, n := range names {
			b, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				t.Fatal(err)
			}
			files[n] = b
		}
		srv.Add(id, "main", files)
	}
	add("test/bert", tinyBERT, "config.json", "model.safetensors", "vocab.txt")
	add("test/gpt2", tinyGPT2, "config.json", "model.safetensors", "vocab.json", "merges.txt")
	t.Setenv("HF_ENDPOINT", srv.URL)
	t.Setenv("HF_HUB_CACHE", t.TempDir())
	t.Setenv("HF_HUB_OFFLINE", "")
	if e := embedJSON(t, "--model", "test/bert", "--text", "hello"); len(e.Embeddings) != 1 || len(e.Commit) != 40 {
		t.Errorf("embed through the hub: %+v", e)
	}
	var out bytes.Buffer
	if err := runGPT([]string{"generate", "--hf", "test/gpt2", "--prompt", "First Citizen", "--max-new-tokens", "5", "--temperature", "0"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "First Citizen") {
		t.Errorf("generate printed %q", out.String())
	}
	srv.Close()
	t.Setenv("HF_HUB_OFFLINE", "1")
	if e := embedJSON(t, "--model", "test/bert", "--text", "hello"); len(e.Embeddings) != 1 {
		t.Errorf("embed offline from the cache: %+v", e)
	}
	out.Reset()
	if err := runGPT([]string{"generate", "--hf", "test/gpt2", "--offline", "--prompt", "First", "--max-new-tokens", "3"}, &out); err != nil {
		t.Errorf("generate offline from the cache: %v", err)
	}
	err := runEmbed([]string{"--model", "test/not-cached", "--text", "x"}, strings.NewReader(""), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "offline (HF_HUB_OFFLINE)") || strings.Count(err.Error(), "\n") > 0 {
		t.Errorf("offline, not cached: %v", err)
	}
	if err := runGPT([]string{"generate", "--checkpoint", "x", "--revision", "main"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "go with --hf") {
		t.Errorf("--revision without --hf: %v", err)
	}
}
