package bert

import (
	"fmt"
	"os"
	"path/filepath"
)

// errorf builds the error value used in panics raised while building a graph.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// writeFileAtomic writes data to a temporary file next to path and renames it into place, so
// a reader never sees a partial file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
