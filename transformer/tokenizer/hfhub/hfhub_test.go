package hfhub

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/transformer/pretrained/hubtest"
	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
	"github.com/gomlx/go-huggingface/hub"
	hftok "github.com/gomlx/go-huggingface/tokenizers"
)

// fakeHub serves repositories (each at revision main) the way the Hugging Face Hub does, for go-huggingface.
func fakeHub(t *testing.T, repos map[string]map[string][]byte) *hubtest.Server {
	t.Helper()
	srv := hubtest.New(t)
	for id, files := range repos {
		srv.Add(id, "main", files)
	}
	return srv
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadThroughGoHuggingFace(t *testing.T) {
	srv := fakeHub(t, map[string]map[string][]byte{
		"test/bert": {"vocab.txt": readTestdata(t, "wordpiece/vocab.txt"),
			"tokenizer_config.json": []byte(`{"tokenizer_class": "BertTokenizer", "do_lower_case": false}`)},
		"test/gpt2": {"vocab.json": readTestdata(t, "bpe/vocab.json"), "merges.txt": readTestdata(t, "bpe/merges.txt"),
			"tokenizer_config.json": []byte(`{"tokenizer_class": "GPT2Tokenizer"}`)},
		"test/empty": {"README.md": []byte("nothing")},
	})
	cache := t.TempDir()
	repo := func(id string) *hub.Repo { return hub.New(id).WithEndpoint(srv.URL).WithCacheDir(cache) }

	bert, err := Load(repo("test/bert"))
	if err != nil {
		t.Fatal(err)
	}
	local, _ := tokenizer.LoadWordPiece(filepath.Join("..", "testdata", "wordpiece", "vocab.txt"),
		tokenizer.WordPieceOptions{Basic: tokenizer.BasicOptions{Lowercase: false}})
	text := "Café 床前明月光, First Citizen!"
	got, _ := bert.Encode(text)
	want, _ := local.Encode(text)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("do_lower_case=false not applied: %v vs %v", got, want)
	}

	Register()
	hfT, err := hftok.New(repo("test/gpt2"))
	if err != nil {
		t.Fatal(err)
	}
	bpe, _ := tokenizer.LoadBPE(filepath.Join("..", "testdata", "bpe", "vocab.json"), filepath.Join("..", "testdata", "bpe", "merges.txt"), tokenizer.BPEOptions{})
	want, _ = bpe.Encode(text)
	if got := hfT.Encode(text); !reflect.DeepEqual(got, want) {
		t.Errorf("go-huggingface tokenizers.New: %v, want %v", got, want)
	}
	if hfT.Decode(want) != text {
		t.Error("decode through go-huggingface changed the text")
	}

	if _, err := Load(repo("test/empty")); err == nil || !strings.Contains(err.Error(), "neither vocab.txt") {
		t.Errorf("want a clear error for a repository without vocabulary, got %v", err)
	}
}

// TestLoadDir: a model directory's tokenizer with tokenizer_config.json's settings and maximum
// length; a directory without one has BERT's defaults and no maximum; a bad config is an error
// naming the file.
func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	vocab := readTestdata(t, "wordpiece/vocab.txt")
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("vocab.txt", vocab)
	tok, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ids, _ := tok.Tokenize("First"); len(ids) == 0 || ids[0] != "first" {
		t.Errorf("without tokenizer_config.json BERT lower-cases: %v", ids)
	}
	if n, err := MaxLength(dir); n != 0 || err != nil {
		t.Errorf("MaxLength without a config: %d, %v", n, err)
	}
	write("tokenizer_config.json", []byte(`{"do_lower_case": false, "model_max_length": 128}`))
	if tok, err = LoadDir(dir); err != nil {
		t.Fatal(err)
	}
	local, _ := tokenizer.LoadWordPiece(filepath.Join(dir, "vocab.txt"), tokenizer.WordPieceOptions{})
	got, _ := tok.Encode("First Citizen")
	want, _ := local.Encode("First Citizen")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("do_lower_case=false: %v, want %v", got, want)
	}
	if n, err := MaxLength(dir); n != 128 || err != nil {
		t.Errorf("MaxLength: %d, %v", n, err)
	}
	write("tokenizer_config.json", []byte(`{"do_lower_case": "no"}`))
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "tokenizer_config.json") || !strings.Contains(err.Error(), "do_lower_case") {
		t.Errorf("bad config: %v", err)
	}
	if _, err := LoadDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "neither vocab.txt") {
		t.Errorf("empty directory: %v", err)
	}
}
