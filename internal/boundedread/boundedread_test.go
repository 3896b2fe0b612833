package boundedread

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config.json")
	os.WriteFile(p, []byte(`{"n_layer": 2}`), 0o644)
	if b, err := ReadFile(p, 100); err != nil || string(b) != `{"n_layer": 2}` {
		t.Fatalf("%q, %v", b, err)
	}
	if _, err := ReadFile(p, 5); err == nil || !strings.Contains(err.Error(), "more than the 5 bytes") {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := ReadFile(dir, 100); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "none"), 100); !os.IsNotExist(err) {
		t.Errorf("missing: %v", err)
	}
}
