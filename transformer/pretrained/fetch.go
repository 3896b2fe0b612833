package pretrained

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/bert2gpt/bert2gpt/internal/atomicfile"
	"github.com/bert2gpt/bert2gpt/internal/boundedread"
	"github.com/gomlx/go-huggingface/hub"
)

// Options say where a hub repository's files come from. The zero value follows huggingface_hub:
// revision "main", its environment variables, its cache. Nothing here matters for a local directory.
type Options struct {
	// Revision is a branch, a tag or a commit hash (40 hex digits); "" means "main". A commit hash
	// pins the files: once they are cached, Fetch does not ask the hub again.
	Revision string
	// CacheDir is the hub cache; "" means $HF_HUB_CACHE, else $HF_HOME/hub, else
	// $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub (huggingface_hub's order).
	CacheDir string
	// Endpoint is the hub's address; "" means $HF_ENDPOINT, else https://huggingface.co.
	Endpoint string
	// Token authenticates to the hub (private and gated repositories); "" means $HF_TOKEN.
	Token string
	// Offline serves cached files only and never opens a connection; HF_HUB_OFFLINE=1 (or
	// TRANSFORMERS_OFFLINE=1) in the environment sets it too.
	Offline bool
	// Log, if not nil, receives one line per file downloaded.
	Log io.Writer
}

// Files are a checkpoint's files on the local disk.
type Files struct {
	// Dir holds the files: the directory given, or a snapshot directory of the hub cache.
	Dir string
	// Repo is the hub id ("" for a local directory); Revision the revision asked for; Commit the
	// commit it resolved to.
	Repo, Revision, Commit string
	// FromCache says that the hub was not asked: offline, a cached pinned commit, or a hub that
	// could not be reached while the cache had the files.
	FromCache bool
	// Downloaded lists the files this call downloaded (none when everything was cached).
	Downloaded []string
}

// Path returns the local path of a file of the checkpoint (name uses "/", e.g. "1_Pooling/config.json").
func (f *Files) Path(name string) string { return filepath.Join(f.Dir, filepath.FromSlash(name)) }

// Has reports whether the checkpoint has the file (a regular file, or a link to one).
func (f *Files) Has(name string) bool {
	st, err := os.Stat(f.Path(name))
	return err == nil && st.Mode().IsRegular()
}

// String names the checkpoint: the directory, or "id@revision (commit c0ffee1)".
func (f *Files) String() string {
	if f.Repo == "" {
		return f.Dir
	}
	return fmt.Sprintf("%s@%s (commit %.7s)", f.Repo, f.Revision, f.Commit)
}

var (
	hubIDPart   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$`)
	commitHash  = regexp.MustCompile(`^[0-9a-f]{40}$`)
	revisionRef = regexp.MustCompile(`^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$`)
)

// IsHubID reports whether s is written like a hub repository id: "name" or "owner/name", each part
// of letters, digits, '.', '_' and '-', not starting with a punctuation mark, without "..".
func IsHubID(s string) bool {
	parts := strings.Split(s, "/")
	if len(parts) > 2 || strings.Contains(s, "..") {
		return false
	}
	for _, p := range parts {
		if !hubIDPart.MatchString(p) {
			return false
		}
	}
	return true
}

// Fetch makes the files of src available on the local disk. src is a directory (used as it is) or,
// when no such directory exists, a hub id (see IsHubID). Every required file must exist; optional
// files are fetched when the repository (or directory) has them. Names use "/" and may name files
// in subdirectories ("1_Pooling/config.json").
//
// For a hub id the files of the revision are downloaded into the cache (files already there are not
// downloaded again), each checked against the hub's ETag; offline, the cached snapshot of the
// revision is used. Errors name the repository, the revision and the file.
func Fetch(src string, required, optional []string, o Options) (*Files, error) {
	if src == "" {
		return nil, errors.New("pretrained.Fetch: no model given (a directory or a hub id such as bert-base-chinese)")
	}
	if st, err := os.Stat(src); err == nil {
		if !st.IsDir() {
			return nil, fmt.Errorf("pretrained.Fetch: %s is a file; give the directory that holds config.json and the weights", src)
		}
		f := &Files{Dir: src}
		for _, name := range required {
			if !f.Has(name) {
				return nil, fmt.Errorf("pretrained.Fetch: %s has no %s", src, name)
			}
		}
		return f, nil
	}
	if !IsHubID(src) {
		return nil, fmt.Errorf("pretrained.Fetch: %s: no such directory, and not a hub id (owner/name)", src)
	}
	o = o.withDefaults()
	if !commitHash.MatchString(o.Revision) && (!revisionRef.MatchString(o.Revision) || strings.Contains(o.Revision, "..")) {
		return nil, fmt.Errorf("pretrained.Fetch: revision %q is not a branch, tag or commit name", o.Revision)
	}
	if o.Offline {
		f, err := fromCache(src, required, optional, o)
		if err != nil {
			return nil, fmt.Errorf("pretrained.Fetch: offline (HF_HUB_OFFLINE): %w", err)
		}
		return f, nil
	}
	if commitHash.MatchString(o.Revision) {
		if f, err := fromCache(src, required, optional, o); err == nil {
			return f, nil // a commit never changes: no need to ask the hub
		}
	}
	f, err := fromHub(src, required, optional, o)
	if err != nil && isNetworkError(err) {
		if cached, cerr := fromCache(src, required, optional, o); cerr == nil {
			return cached, nil // huggingface_hub does the same when the hub cannot be reached
		}
		return nil, fmt.Errorf("pretrained.Fetch: %s@%s: the hub %s cannot be reached (%w), and the cache %s does not have the files",
			src, o.Revision, o.Endpoint, networkCause(err), o.CacheDir)
	}
	if err != nil {
		return nil, fmt.Errorf("pretrained.Fetch: %s@%s: %w", src, o.Revision, err)
	}
	return f, nil
}

// withDefaults fills the empty fields from the environment as huggingface_hub does.
func (o Options) withDefaults() Options {
	if o.Revision == "" {
		o.Revision = "main"
	}
	if o.CacheDir == "" {
		o.CacheDir = DefaultCacheDir()
	}
	if o.Endpoint == "" {
		o.Endpoint = strings.TrimSuffix(os.Getenv("HF_ENDPOINT"), "/")
	}
	if o.Endpoint == "" {
		o.Endpoint = "https://huggingface.co"
	}
	if o.Token == "" {
		o.Token = os.Getenv("HF_TOKEN")
	}
	o.Offline = o.Offline || envTrue("HF_HUB_OFFLINE") || envTrue("TRANSFORMERS_OFFLINE")
	return o
}

// DefaultCacheDir is the hub cache huggingface_hub uses: $HF_HUB_CACHE, else $HF_HOME/hub, else
// go-huggingface's default ($XDG_CACHE_HOME/huggingface/hub or ~/.cache/huggingface/hub).
func DefaultCacheDir() string {
	if d := os.Getenv("HF_HUB_CACHE"); d != "" {
		return d
	}
	if d := os.Getenv("HF_HOME"); d != "" {
		return filepath.Join(d, "hub")
	}
	return hub.DefaultCacheDir()
}

// OfflineFromEnv reports whether HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) asks for offline mode.
func OfflineFromEnv() bool { return envTrue("HF_HUB_OFFLINE") || envTrue("TRANSFORMERS_OFFLINE") }

func envTrue(name string) bool {
	switch strings.ToUpper(strings.TrimSpace(os.Getenv(name))) {
	case "1", "ON", "YES", "TRUE":
		return true
	}
	return false
}

// repoDir is the cache directory of a model repository: models--owner--name.
func repoDir(cache, id string) string {
	return filepath.Join(cache, "models--"+strings.ReplaceAll(id, "/", "--"))
}

// fromCache serves the files from the cached snapshot of the revision without network.
func fromCache(id string, required, optional []string, o Options) (*Files, error) {
	root := repoDir(o.CacheDir, id)
	commit := o.Revision
	if !commitHash.MatchString(commit) {
		var err error
		if commit, err = cachedCommit(root, o.Revision); err != nil {
			return nil, fmt.Errorf("%s@%s is not in the hub cache %s (%v)", id, o.Revision, o.CacheDir, err)
		}
	}
	f := &Files{Dir: filepath.Join(root, "snapshots", commit), Repo: id, Revision: o.Revision, Commit: commit, FromCache: true}
	for _, name := range required {
		if !f.Has(name) {
			return nil, fmt.Errorf("%s@%s: the cached snapshot %s has no %s", id, o.Revision, f.Dir, name)
		}
	}
	return f, nil
}

// cachedCommit reads the commit a revision resolved to: refs/<revision> (huggingface_hub, and
// Fetch), else info/<revision> (go-huggingface's copy of the API answer, {"sha": …}).
func cachedCommit(root, revision string) (string, error) {
	if raw, err := boundedread.ReadFile(filepath.Join(root, "refs", filepath.FromSlash(revision)), 1<<10); err == nil {
		c := strings.TrimSpace(string(raw))
		if !commitHash.MatchString(c) {
			return "", fmt.Errorf("refs/%s holds %q, not a commit hash", revision, clip(c))
		}
		return c, nil
	}
	info := filepath.Join(root, "info", filepath.FromSlash(revision))
	raw, err := boundedread.ReadFile(info, boundedread.ConfigLimit)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("no refs/%s", revision)
	} else if err != nil {
		return "", err
	}
	var answer hub.RepoInfo
	if err := jsonUnmarshal(raw, &answer); err != nil || !commitHash.MatchString(answer.CommitHash) {
		return "", fmt.Errorf("info/%s has no commit hash", revision)
	}
	return answer.CommitHash, nil
}

// fromHub asks the hub for the revision's commit and file list, then downloads what the cache
// lacks, one file at a time, checking each against its ETag.
func fromHub(id string, required, optional []string, o Options) (*Files, error) {
	repo := hub.New(id).WithEndpoint(o.Endpoint).WithCacheDir(o.CacheDir).WithRevision(o.Revision).
		WithAuth(o.Token).WithProgressBar(false)
	repo.Verbosity = 0           // go-huggingface prints progress on standard output otherwise
	repo.MaxParallelDownload = 1 // its parallel path updates shared counters without a lock
	if err := repo.DownloadInfo(true); err != nil {
		return nil, err
	}
	commit := repo.Info().CommitHash
	if !commitHash.MatchString(commit) {
		return nil, fmt.Errorf("the hub answered commit %q for revision %s, not a commit hash", clip(commit), o.Revision)
	}
	if commitHash.MatchString(o.Revision) && commit != o.Revision {
		return nil, fmt.Errorf("asked for commit %s, the hub answered %s", o.Revision, commit)
	}
	root := repoDir(o.CacheDir, id)
	f := &Files{Dir: filepath.Join(root, "snapshots", commit), Repo: id, Revision: o.Revision, Commit: commit}
	var names []string
	for _, name := range required {
		if !repo.HasFile(name) {
			return nil, fmt.Errorf("the repository has no %s at commit %.7s", name, commit)
		}
		names = append(names, name)
	}
	for _, name := range optional {
		if repo.HasFile(name) {
			names = append(names, name)
		}
	}
	for _, name := range names {
		if f.Has(name) {
			continue // cached (and checked) before
		}
		path, err := repo.DownloadFile(name)
		if err != nil {
			return nil, fmt.Errorf("downloading %s: %w", name, err)
		}
		if err := verify(path); err != nil {
			return nil, fmt.Errorf("downloading %s: %w", name, err)
		}
		f.Downloaded = append(f.Downloaded, name)
		if o.Log != nil {
			if st, err := os.Stat(path); err == nil {
				fmt.Fprintf(o.Log, "downloaded %s/%s (%d bytes)\n", id, name, st.Size())
			}
		}
	}
	if !commitHash.MatchString(o.Revision) {
		// What huggingface_hub writes, so that it (and an offline Fetch) finds this snapshot.
		if err := atomicfile.WriteBytes(filepath.Join(root, "refs", filepath.FromSlash(o.Revision)), []byte(commit)); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// isNetworkError tells a hub that cannot be reached (no route, DNS, refused, reset) from an answer
// of the hub (404, 401, bad data).
func isNetworkError(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne)
}

// networkCause is the innermost transport error of err ("dial tcp: lookup huggingface.co: no
// such host"), without the layers of URLs go-huggingface wraps around it.
func networkCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

func clip(s string) string {
	if len(s) > 48 {
		return s[:48] + "…"
	}
	return s
}
