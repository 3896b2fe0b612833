package datasets

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedDataDir finds ../shared/data relative to the module root (CI and the dev machine
// keep TinyShakespeare there); "" if absent.
func sharedDataDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv(EnvDataDir); d != "" {
		return d
	}
	dir, _ := os.Getwd()
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared", "data")
			if _, err := os.Stat(d); err == nil {
				return d
			}
			return ""
		}
	}
	return ""
}

func TestTinyShakespeareFromDataDir(t *testing.T) {
	dataDir := sharedDataDir(t)
	if dataDir == "" {
		t.Skip("skipping: no ../shared/data (or $BERT2GPT_DATA_DIR) with tinyshakespeare/input.txt")
	}
	f := &Fetcher{CacheDir: t.TempDir(), DataDir: dataDir, Offline: true}
	text, err := f.TinyShakespeare(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(text) != 1115394 || !strings.HasPrefix(text, "First Citizen:") {
		t.Fatalf("unexpected text of %d bytes", len(text))
	}
	train, valid := SplitText(text, 0.9)
	// nanoGPT: n = len(data); train = data[:int(n*0.9)].
	if len(train) != 1003854 || train+valid != text {
		t.Fatalf("split: train %d, valid %d", len(train), len(valid))
	}
}

func TestSplitTextRunes(t *testing.T) {
	train, valid := SplitText("床前明月光疑是地上霜", 0.9)
	if train != "床前明月光疑是地上" || valid != "霜" {
		t.Fatalf("got %q %q", train, valid)
	}
}
