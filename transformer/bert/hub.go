package bert

import (
	"fmt"
	"path/filepath"

	"github.com/gomlx/compute"
	"github.com/gomlx/go-huggingface/hub"
)

// DownloadHF fetches config.json, model.safetensors and vocab.txt of a BERT repository through
// go-huggingface's hub client (its cache, token and endpoint settings apply; files already cached
// are not downloaded again) and returns the local snapshot directory holding them, for
// LoadPretrained and tokenizer.LoadWordPiece. Example: DownloadHF(hub.New("bert-base-chinese")).
func DownloadHF(repo *hub.Repo) (string, error) {
	// One file at a time: go-huggingface v0.3.1's DownloadFiles updates its download counters
	// from several goroutines without a lock (a data race that `make race` reports).
	var paths []string
	for _, name := range []string{"config.json", "model.safetensors", "vocab.txt"} {
		p, err := repo.DownloadFile(name)
		if err != nil {
			return "", fmt.Errorf("bert.DownloadHF(%s): %w", repo, err)
		}
		paths = append(paths, p)
	}
	dir := filepath.Dir(paths[0])
	for _, p := range paths[1:] {
		if filepath.Dir(p) != dir {
			return "", fmt.Errorf("bert.DownloadHF(%s): files landed in different directories (%s, %s)", repo, dir, filepath.Dir(p))
		}
	}
	return dir, nil
}

// LoadHub downloads (or finds in the cache) a Hugging Face BERT checkpoint and loads it with
// LoadPretrained. The tokenizer of the same repository is loaded by package
// transformer/tokenizer/hfhub.
func LoadHub(backend compute.Backend, repo *hub.Repo, head Head, numLabels int) (*Model, error) {
	dir, err := DownloadHF(repo)
	if err != nil {
		return nil, err
	}
	return LoadPretrained(backend, dir, head, numLabels)
}
