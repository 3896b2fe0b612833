package datasets

import (
	"os"
	"path/filepath"

	"github.com/bert2gpt/bert2gpt/internal/atomicfile"
	"github.com/pkg/errors"
)

const (
	// EnvCache names the environment variable that overrides the cache directory.
	EnvCache = "BERT2GPT_CACHE"
	// EnvDataDir names the environment variable with a directory of files obtained by hand:
	// a file there (at the same relative path as in the cache, e.g.
	// "tinyshakespeare/input.txt") is used instead of downloading. Used offline and in CI.
	EnvDataDir = "BERT2GPT_DATA_DIR"
	// EnvOffline, when set to a non-empty value other than "0", forbids downloads.
	EnvOffline = "BERT2GPT_OFFLINE"
)

// DefaultCacheDir returns $BERT2GPT_CACHE if set, else os.UserCacheDir()/bert2gpt.
func DefaultCacheDir() (string, error) {
	if dir := os.Getenv(EnvCache); dir != "" {
		return dir, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", errors.Wrapf(err, "no user cache directory; set $%s to a writable directory", EnvCache)
	}
	return filepath.Join(base, "bert2gpt"), nil
}

// writeFileAtomic writes the content produced by fill to a temporary file in the directory of
// path, fsyncs it, and renames it to path (package internal/atomicfile). On any error the
// temporary file is removed and path is left untouched.
func writeFileAtomic(path string, fill func(f *os.File) error) error {
	return atomicfile.Write(path, fill)
}
