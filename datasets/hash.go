package datasets

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"io"
	"os"
	"strings"

	"github.com/pkg/errors"
)

// Checksum pins the expected content of a file: either a hex sha256 (SHA256) or an npm
// style Subresource Integrity string "sha512-<base64>" (Integrity). Size, when > 0, is
// checked too, so a truncated file is reported as such.
type Checksum struct {
	SHA256    string
	Integrity string
	Size      int64
}

// newHasher returns the hash function for c and a function that checks its sum.
func (c Checksum) newHasher() (hash.Hash, func(sum []byte) error, error) {
	switch {
	case c.SHA256 != "":
		want := strings.ToLower(c.SHA256)
		return sha256.New(), func(sum []byte) error {
			if got := hex.EncodeToString(sum); got != want {
				return errors.Errorf("sha256 mismatch: got %s, want %s", got, want)
			}
			return nil
		}, nil
	case strings.HasPrefix(c.Integrity, "sha512-"):
		want := strings.TrimPrefix(c.Integrity, "sha512-")
		return sha512.New(), func(sum []byte) error {
			if got := base64.StdEncoding.EncodeToString(sum); got != want {
				return errors.Errorf("sha512 integrity mismatch: got sha512-%s, want sha512-%s", got, want)
			}
			return nil
		}, nil
	default:
		return nil, nil, errors.Errorf("checksum has neither sha256 nor a sha512- integrity string: %+v", c)
	}
}

// Verify reads the file at path and checks its size and hash against c.
func (c Checksum) Verify(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return errors.WithMessagef(c.verifyReader(f), "file %s", path)
}

func (c Checksum) verifyReader(r io.Reader) error {
	h, check, err := c.newHasher()
	if err != nil {
		return err
	}
	n, err := io.Copy(h, r)
	if err != nil {
		return errors.Wrap(err, "reading")
	}
	if c.Size > 0 && n != c.Size {
		return errors.Errorf("size mismatch: got %d bytes, want %d (truncated or corrupted)", n, c.Size)
	}
	return check(h.Sum(nil))
}

// SHA256Hex returns the hex sha256 of data.
func SHA256Hex(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}
