package pretrained

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

var (
	sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)
	sha1Hex   = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// verify checks a file go-huggingface has just downloaded: snapshot is a link to blobs/<etag>, and
// the hub's ETag of a file is the SHA-256 of its content for LFS files (weights) and the git blob
// hash, SHA-1("blob <size>\x00" + content), for the others. A file that does not match — a response
// cut short, which go-huggingface v0.3.1 keeps as if complete, or damaged on the way — is removed
// (blob and link) so that the next attempt downloads it again. An ETag of neither form is not
// checked (the hub does not send those).
func verify(snapshot string) error {
	target, err := os.Readlink(snapshot)
	if err != nil {
		return fmt.Errorf("the cache entry %s is not a link to a blob: %w", snapshot, err)
	}
	blob := target
	if !filepath.IsAbs(blob) {
		blob = filepath.Join(filepath.Dir(snapshot), target)
	}
	etag := filepath.Base(blob)
	var h hash.Hash
	var kind string
	switch {
	case sha256Hex.MatchString(etag):
		h, kind = sha256.New(), "SHA-256"
	case sha1Hex.MatchString(etag):
		h, kind = sha1.New(), "git blob SHA-1"
	default:
		return nil
	}
	f, err := os.Open(blob)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if kind != "SHA-256" {
		fmt.Fprintf(h, "blob %d\x00", st.Size())
	}
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != etag {
		_ = os.Remove(snapshot)
		_ = os.Remove(blob)
		return fmt.Errorf("the downloaded file (%d bytes) is truncated or damaged: its %s is %s, the hub's ETag says %s (removed from the cache; try again)",
			st.Size(), kind, got, etag)
	}
	return nil
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
