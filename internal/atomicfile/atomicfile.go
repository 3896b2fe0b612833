// Package atomicfile is the one implementation behind every file the project writes: checkpoints,
// exported models, configurations, vocabularies, downloaded corpora and their extracts.
//
// A write goes to a temporary file next to the target, named
//
//	.<name>.tmp-<pid>-<random>
//
// which is synced and renamed over the target only when it is complete, so a reader sees the old
// file or the new one, never a part. A writer killed half-way (kill -9, power loss) cannot remove
// its temporary file; the next successful write of the same target removes it (see Clean).
package atomicfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// inFlight holds the temporary files this process is writing now (Clean keeps them).
var inFlight sync.Map

// Mode is the permission of the files written (the mode os.WriteFile callers used, 0644).
const Mode os.FileMode = 0o644

// tempPrefix is the start of the names of path's temporary files.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp" }

// Write creates path with the content that fill writes to f (a new temporary file in path's
// directory, which is created if needed): only if fill, the sync and the close succeed is the
// temporary renamed over path. On any error the temporary is removed and an existing path is left
// untouched. After a successful write, temporaries of path left by writers that are gone are removed.
func Write(path string, fill func(f *os.File) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, tempPrefix(path)+"-"+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	inFlight.Store(tmp.Name(), true)
	done := false
	defer func() {
		inFlight.Delete(tmp.Name())
		if !done { // an error, or a panic in fill
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = fill(tmp); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Chmod(Mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	done = true
	// Make the rename durable; not every system can sync a directory, so errors are ignored.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	Clean(path)
	return nil
}

// WriteBuffered is Write with a buffered writer (1 MiB) in place of the file.
func WriteBuffered(path string, fill func(w io.Writer) error) error {
	return Write(path, func(f *os.File) error {
		bw := bufio.NewWriterSize(f, 1<<20)
		if err := fill(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// WriteBytes writes data to path atomically (os.WriteFile's atomic counterpart).
func WriteBytes(path string, data []byte) error {
	return Write(path, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}
