package datasets

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/pkg/errors"
)

// RemoteFile describes one file of a corpus: where it lives in the cache (RelPath, also
// its path under $BERT2GPT_DATA_DIR), where to download it from (URL) and its checksum.
type RemoteFile struct {
	RelPath  string
	URL      string
	Checksum Checksum
}

// Fetcher obtains corpus files: from the data directory if present there, else from the
// cache if it verifies, else by downloading (atomically, then verifying).
// The zero value is not usable; start from [NewFetcher].
type Fetcher struct {
	// CacheDir holds downloaded and derived files.
	CacheDir string
	// DataDir, if not empty, is searched first for files obtained by hand.
	DataDir string
	// Offline forbids network access (and running npm).
	Offline bool
	// Client is used for HTTP downloads.
	Client *http.Client
	// Progress receives progress lines for long operations; nil means silence.
	Progress io.Writer
	// NpmPack obtains the tarball of an npm package spec ("name@version") into dir and
	// returns its path. The default runs `npm pack` (see [RunNpmPack]); tests inject a
	// function that copies a local tarball.
	NpmPack func(ctx context.Context, spec, dir string) (string, error)
}

// NewFetcher returns a Fetcher configured from the environment: cache dir from
// $BERT2GPT_CACHE (or the user cache dir), data dir from $BERT2GPT_DATA_DIR, offline mode
// from $BERT2GPT_OFFLINE, progress on os.Stderr, `npm pack` for npm packages.
func NewFetcher() (*Fetcher, error) {
	cache, err := DefaultCacheDir()
	if err != nil {
		return nil, err
	}
	off := os.Getenv(EnvOffline)
	return &Fetcher{
		CacheDir: cache,
		DataDir:  os.Getenv(EnvDataDir),
		Offline:  off != "" && off != "0",
		Client:   &http.Client{Timeout: 30 * time.Minute},
		Progress: os.Stderr,
		NpmPack:  RunNpmPack,
	}, nil
}

func (f *Fetcher) logf(format string, args ...any) {
	if f.Progress != nil {
		fmt.Fprintf(f.Progress, format+"\n", args...)
	}
}

// CachePath returns where rf lives in the cache.
func (f *Fetcher) CachePath(rf RemoteFile) string {
	return filepath.Join(f.CacheDir, filepath.FromSlash(rf.RelPath))
}

// File returns a local, verified path for rf. Order: $BERT2GPT_DATA_DIR/RelPath (must
// verify, else an error naming it), then the cache (a file that fails verification is
// removed and fetched again), then a download of rf.URL.
func (f *Fetcher) File(ctx context.Context, rf RemoteFile) (string, error) {
	if p, ok, err := f.existing(rf, "its pinned checksum"); ok || err != nil {
		return p, err
	}
	cached := f.CachePath(rf)
	if f.Offline {
		return "", f.missingError(rf, errors.Errorf("offline ($%s is set)", EnvOffline))
	}
	if err := f.download(ctx, rf, cached); err != nil {
		return "", f.missingError(rf, err)
	}
	return cached, nil
}

// existing returns a usable copy of rf that is already on disk: a file under the data directory (which
// must match its checksum, described by what) or a cache entry that still verifies. A corrupted cache
// entry is removed so that it gets fetched again. ok is false when there is no usable copy.
func (f *Fetcher) existing(rf RemoteFile, what string) (path string, ok bool, err error) {
	if f.DataDir != "" {
		p := filepath.Join(f.DataDir, filepath.FromSlash(rf.RelPath))
		if _, err := os.Stat(p); err == nil {
			if err := rf.Checksum.Verify(p); err != nil {
				return "", false, errors.WithMessagef(err, "file in data directory ($%s) does not match %s; remove or replace it", EnvDataDir, what)
			}
			return p, true, nil
		}
	}
	cached := f.CachePath(rf)
	if _, err := os.Stat(cached); err == nil {
		if err := rf.Checksum.Verify(cached); err == nil {
			return cached, true, nil
		} else {
			f.logf("bert2gpt: cached %s is corrupted (%v); fetching it again", cached, err)
			_ = os.Remove(cached)
		}
	}
	return "", false, nil
}

func (f *Fetcher) missingError(rf RemoteFile, cause error) error {
	where := f.CachePath(rf)
	hint := fmt.Sprintf("download %s and put it at %s", rf.URL, where)
	if f.DataDir != "" {
		hint += fmt.Sprintf(" or at %s", filepath.Join(f.DataDir, filepath.FromSlash(rf.RelPath)))
	} else {
		hint += fmt.Sprintf(" (or in a directory named by $%s, as %s)", EnvDataDir, rf.RelPath)
	}
	return errors.Errorf("%s is not available: %v; %s", rf.RelPath, cause, hint)
}

// download fetches rf.URL into dest atomically and verifies it before the rename.
func (f *Fetcher) download(ctx context.Context, rf RemoteFile, dest string) error {
	if rf.URL == "" {
		return errors.New("no download URL")
	}
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rf.URL, nil)
	if err != nil {
		return errors.Wrapf(err, "bad URL %q", rf.URL)
	}
	resp, err := client.Do(req)
	if err != nil {
		return errors.Wrapf(err, "downloading %s", rf.URL)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.Errorf("downloading %s: HTTP status %s", rf.URL, resp.Status)
	}
	total := resp.ContentLength
	if total <= 0 {
		total = rf.Checksum.Size
	}
	f.logf("bert2gpt: downloading %s to %s", rf.URL, dest)
	return writeFileAtomic(dest, func(out *os.File) error {
		pw := &progressWriter{name: rf.RelPath, total: total, out: f.Progress, last: time.Now()}
		if _, err := io.Copy(io.MultiWriter(out, pw), resp.Body); err != nil {
			return errors.Wrapf(err, "downloading %s", rf.URL)
		}
		pw.done()
		if _, err := out.Seek(0, io.SeekStart); err != nil {
			return err
		}
		return errors.WithMessagef(rf.Checksum.verifyReader(out), "downloaded %s", rf.URL)
	})
}

// progressWriter prints a progress line at most once a second.
type progressWriter struct {
	name  string
	total int64
	n     int64
	out   io.Writer
	last  time.Time
}

// Write counts bytes and prints progress at most once a second.
func (p *progressWriter) Write(b []byte) (int, error) {
	p.n += int64(len(b))
	if p.out != nil && time.Since(p.last) >= time.Second {
		p.last = time.Now()
		p.print()
	}
	return len(b), nil
}

func (p *progressWriter) print() {
	if p.total > 0 {
		fmt.Fprintf(p.out, "bert2gpt: %s: %.1f / %.1f MB (%.0f%%)\n", p.name,
			float64(p.n)/1e6, float64(p.total)/1e6, 100*float64(p.n)/float64(p.total))
	} else {
		fmt.Fprintf(p.out, "bert2gpt: %s: %.1f MB\n", p.name, float64(p.n)/1e6)
	}
}

func (p *progressWriter) done() {
	if p.out != nil {
		p.print()
	}
}
