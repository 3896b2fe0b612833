// Package boundedread reads small files (configurations, vocabularies, manifests) with a size
// limit, so that a file that is not what it claims to be cannot make a loader allocate gigabytes.
package boundedread

import (
	"fmt"
	"io"
	"os"
)

// ConfigLimit bounds JSON configuration files (config.json, data.json, manifests): 16 MiB, a
// thousand times a real one.
const ConfigLimit = 16 << 20

// VocabLimit bounds vocabulary files (a 2-million-token vocabulary of long tokens fits).
const VocabLimit = 256 << 20

// ReadFile reads path like os.ReadFile, but fails without reading it when it is larger than limit
// bytes (or not a regular file).
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if info.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d bytes such a file may have", path, info.Size(), limit)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit { // grew while being read
		return nil, fmt.Errorf("%s is more than the %d bytes such a file may have", path, limit)
	}
	return data, nil
}
