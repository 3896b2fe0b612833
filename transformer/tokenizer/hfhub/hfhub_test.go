package hfhub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
	"github.com/gomlx/go-huggingface/hub"
	hftok "github.com/gomlx/go-huggingface/tokenizers"
)

// fakeHub serves repositories the way the Hugging Face Hub API does, for go-huggingface.
func fakeHub(t *testing.T, repos map[string]map[string][]byte) *httptest.Server {
	t.Helper()
	const commit = "0123456789abcdef0123456789abcdef01234567"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for id, files := range repos {
			if r.URL.Path == "/api/models/"+id+"/revision/main" {
				info := map[string]any{"id": id, "sha": commit}
				var sib []map[string]string
				for name := range files {
					sib = append(sib, map[string]string{"rfilename": name})
				}
				info["siblings"] = sib
				_ = json.NewEncoder(w).Encode(info)
				return
			}
			prefix := "/" + id + "/resolve/" + commit + "/"
			if name, ok := strings.CutPrefix(r.URL.Path, prefix); ok {
				data, found := files[name]
				if !found {
					http.NotFound(w, r)
					return
				}
				sum := sha256.Sum256(data)
				w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
				w.Header().Set("X-Repo-Commit", commit)
				if r.Method == http.MethodHead {
					return
				}
				_, _ = w.Write(data)
				return
			}
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
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
