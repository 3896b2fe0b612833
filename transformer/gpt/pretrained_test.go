package gpt

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/bert2gpt/bert2gpt/transformer/pretrained"
	"github.com/bert2gpt/bert2gpt/transformer/pretrained/hubtest"
	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
	"github.com/gomlx/gomlx/core/tensors"
)

// copyTiny copies testdata/hf-tiny's files named in names into a new directory, plus extra files.
func copyTiny(t *testing.T, names []string, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", "hf-tiny", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for n, content := range extra {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// chineseVocab is a BERT-style vocab.txt of n tokens: the five specials, then CJK ideographs from
// 一, then a few English words and pieces at the end.
func chineseVocab(n int) string {
	toks := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}
	words := []string{"hello", "world", "##s", "，", "。"}
	for r := '一'; len(toks) < n-len(words); r++ {
		toks = append(toks, string(r))
	}
	toks = append(toks, words...)
	return strings.Join(toks, "\n") + "\n"
}

// TestFromPretrainedEnglish: GPT-2's layout (BPE) loads with its tokenizer; the prompt's ids,
// the logits and the greedy continuation are transformers'.
func TestFromPretrainedEnglish(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	p, err := FromPretrained(be, filepath.Join("testdata", "hf-tiny"), PretrainedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Tokenizer.(*tokenizer.BPE); !ok {
		t.Fatalf("tokenizer %T, want BPE", p.Tokenizer)
	}
	f := readFixture(t)
	ids, err := p.EncodePrompt(f.PromptText)
	if err != nil || !reflect.DeepEqual(ids, f.Prompt) {
		t.Fatalf("EncodePrompt = %v, %v; want %v", ids, err, f.Prompt)
	}
	out, err := p.Model.Logits(f.IDs)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(tensors.MustCopyFlatData[float32](out), f.Logits); d > 1e-4 {
		t.Errorf("max |Δlogits| = %g", d)
	}
	text, err := p.Generate(f.PromptText, GenerateOptions{MaxNewTokens: len(f.Greedy)})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := p.Decode(f.Greedy)
	if text != want {
		t.Errorf("greedy continuation %q, want %q", text, want)
	}
}

// TestFromPretrainedChinese: a GPT-2 with a BERT vocabulary (UER's Chinese GPT-2 layout: vocab.txt,
// no vocab.json) loads with a WordPiece tokenizer; prompts start with [CLS]; decoding glues the
// characters and keeps spaces between English words.
func TestFromPretrainedChinese(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	dir := copyTiny(t, []string{"config.json", "model.safetensors"}, map[string]string{
		"vocab.txt": chineseVocab(1000), "tokenizer_config.json": `{"do_lower_case": false, "tokenizer_class": "BertTokenizer"}`})
	p, err := FromPretrained(be, dir, PretrainedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wp, ok := p.Tokenizer.(*tokenizer.WordPiece)
	if !ok {
		t.Fatalf("tokenizer %T, want WordPiece", p.Tokenizer)
	}
	ids, err := p.EncodePrompt("七八九")
	cls, _ := wp.SpecialID(tokenizer.CLS)
	if err != nil || len(ids) != 4 || ids[0] != int32(cls) {
		t.Fatalf("EncodePrompt = %v, %v; want [CLS] and three characters", ids, err)
	}
	hello, _ := wp.TokenID("hello")
	world, _ := wp.TokenID("world")
	s, _ := wp.TokenID("##s")
	comma, _ := wp.TokenID("，")
	if text, err := p.Decode(append(ids, int32(comma), int32(hello), int32(world), int32(s))); err != nil || text != "七八九，hello worlds" {
		t.Errorf("Decode = %q, %v", text, err)
	}
	// The same weights as the BPE model: the same logits for the same ids.
	english, err := LoadHF(be, filepath.Join("testdata", "hf-tiny"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.Model.Logits([][]int32{ids})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := english.Logits([][]int32{ids})
	if d := maxAbsDiff(tensors.MustCopyFlatData[float32](a), tensors.MustCopyFlatData[float32](b)); d != 0 {
		t.Errorf("logits differ by %g", d)
	}
	if _, err := p.Generate("七八九", GenerateOptions{MaxNewTokens: 5}); err != nil {
		t.Error(err)
	}
}

// TestFromPretrainedErrors: a file that is not a GPT-2, an untied LM head, no tokenizer, a
// tokenizer larger than the model.
func TestFromPretrainedErrors(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"config.json", "model.safetensors", "vocab.json", "merges.txt"}
	cfg, _ := os.ReadFile(filepath.Join("testdata", "hf-tiny", "config.json"))
	untied := damaged(t, func(ts map[string]*tensors.Tensor) {
		ts["lm_head.weight"] = tensors.FromFlatDataAndDimensions(make([]float32, 1000*32), 1000, 32)
	})
	tied := damaged(t, func(ts map[string]*tensors.Tensor) { ts["lm_head.weight"] = ts["transformer.wte.weight"] })
	for _, d := range []string{untied, tied} {
		for _, n := range []string{"vocab.json", "merges.txt"} {
			b, _ := os.ReadFile(filepath.Join("testdata", "hf-tiny", n))
			_ = os.WriteFile(filepath.Join(d, n), b, 0o644)
		}
	}
	for name, tc := range map[string]struct {
		dir, want string
	}{
		"bert config":  {copyTiny(t, all[1:], map[string]string{"config.json": strings.Replace(string(cfg), `"gpt2"`, `"bert"`, 1)}), `model_type is "bert"`},
		"untied head":  {untied, `"lm_head.weight" is not wte.weight`},
		"tied head":    {tied, ""},
		"no tokenizer": {copyTiny(t, all[:2], nil), "neither vocab.txt"},
		"vocab larger": {copyTiny(t, all[:2], map[string]string{"vocab.txt": chineseVocab(1001)}), "1001 tokens, more than config.json's vocab_size 1000"},
		"no weights":   {copyTiny(t, []string{"config.json", "vocab.json", "merges.txt"}, nil), "not pytorch_model.bin"},
	} {
		_, err := FromPretrained(be, tc.dir, PretrainedOptions{})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
	}
}

// TestFromPretrainedHub: a hub id through go-huggingface into the cache (fake hub), a pinned
// revision, then offline.
func TestFromPretrainedHub(t *testing.T) {
	for _, v := range []string{"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT", "HF_TOKEN"} {
		t.Setenv(v, "")
	}
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, n := range []string{"config.json", "model.safetensors", "vocab.json", "merges.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", "hf-tiny", n))
		if err != nil {
			t.Fatal(err)
		}
		files[n] = b
	}
	srv := hubtest.New(t)
	commit := srv.Add("test/tiny-gpt2", "v1.0", files)
	o := PretrainedOptions{Options: pretrained.Options{Endpoint: srv.URL, CacheDir: t.TempDir(), Revision: "v1.0"}}
	p, err := FromPretrained(be, "test/tiny-gpt2", o)
	if err != nil {
		t.Fatal(err)
	}
	if p.Files.Commit != commit || fmt.Sprint(p.Files.Downloaded) != "[config.json model.safetensors vocab.json merges.txt]" {
		t.Errorf("files %+v", p.Files)
	}
	srv.Close()
	o.Revision = commit
	if p, err = FromPretrained(be, "test/tiny-gpt2", o); err != nil || !p.Files.FromCache {
		t.Fatalf("pinned commit, hub gone: %v", err)
	}
	f := readFixture(t)
	if ids, err := p.EncodePrompt(f.PromptText); err != nil || !reflect.DeepEqual(ids, f.Prompt) {
		t.Errorf("tokenizer from the cache: %v, %v", ids, err)
	}
}
