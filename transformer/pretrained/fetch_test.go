package pretrained_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/transformer/pretrained"
	"github.com/bert2gpt/bert2gpt/transformer/pretrained/hubtest"
)

// files of a tiny repository: a small config and "weights" (an LFS file: its ETag is a SHA-256).
func repoFiles(version string) map[string][]byte {
	return map[string][]byte{
		"config.json":           []byte(`{"version": "` + version + `"}`),
		"model.safetensors":     bytes.Repeat([]byte(version), 4096),
		"1_Pooling/config.json": []byte(`{"pooling_mode_mean_tokens": true}`),
	}
}

// setup returns a fake hub with owner/tiny at main (and tag v1 at an older commit), and options
// pointing at it with an empty cache. The environment's hub settings are cleared for the test.
func setup(t *testing.T) (*hubtest.Server, pretrained.Options, string, string) {
	t.Helper()
	for _, v := range []string{"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT", "HF_TOKEN", "HF_HUB_CACHE", "HF_HOME"} {
		t.Setenv(v, "")
	}
	srv := hubtest.New(t)
	old := srv.Add("owner/tiny", "v1", repoFiles("old"))
	main := srv.Add("owner/tiny", "main", repoFiles("new"))
	return srv, pretrained.Options{Endpoint: srv.URL, CacheDir: t.TempDir()}, main, old
}

var (
	required = []string{"config.json", "model.safetensors"}
	optional = []string{"1_Pooling/config.json", "tokenizer_config.json"}
)

func read(t *testing.T, f *pretrained.Files, name string) string {
	t.Helper()
	b, err := os.ReadFile(f.Path(name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDownloadIntoTheCacheLayout: files land in models--owner--tiny/snapshots/<commit>/ as links
// to blobs named by their ETag, optional files that exist come along, refs/main names the commit,
// and nothing is printed.
func TestDownloadIntoTheCacheLayout(t *testing.T) {
	srv, o, main, _ := setup(t)
	var log bytes.Buffer
	o.Log = &log
	f, err := pretrained.Fetch("owner/tiny", required, optional, o)
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(o.CacheDir, "models--owner--tiny")
	if f.Dir != filepath.Join(root, "snapshots", main) || f.Commit != main || f.FromCache || f.Repo != "owner/tiny" || f.Revision != "main" {
		t.Errorf("Files = %+v, want the snapshot of commit %s", f, main)
	}
	if got := read(t, f, "config.json"); got != `{"version": "new"}` {
		t.Errorf("config.json = %q", got)
	}
	if !f.Has("1_Pooling/config.json") || f.Has("tokenizer_config.json") {
		t.Error("optional files: want 1_Pooling/config.json (in the repository) and no tokenizer_config.json (not in it)")
	}
	weights := repoFiles("new")["model.safetensors"]
	link, err := os.Readlink(f.Path("model.safetensors"))
	if err != nil || filepath.Base(link) != hubtest.ETag("model.safetensors", weights) {
		t.Errorf("model.safetensors links to %q (%v), want blobs/<sha256>", link, err)
	}
	if ref, _ := os.ReadFile(filepath.Join(root, "refs", "main")); string(ref) != main {
		t.Errorf("refs/main = %q, want %s", ref, main)
	}
	if len(f.Downloaded) != 3 || !strings.Contains(log.String(), "downloaded owner/tiny/model.safetensors (12288 bytes)") {
		t.Errorf("downloaded %v, log %q", f.Downloaded, log.String())
	}
	if n := srv.Count("GET", "/resolve/"); n != 3 {
		t.Errorf("%d file downloads, want 3", n)
	}
}

// TestSecondFetchUsesTheCache: the files are not downloaded again (only the revision is asked).
func TestSecondFetchUsesTheCache(t *testing.T) {
	srv, o, _, _ := setup(t)
	if _, err := pretrained.Fetch("owner/tiny", required, optional, o); err != nil {
		t.Fatal(err)
	}
	before := srv.Count("GET", "/resolve/")
	f, err := pretrained.Fetch("owner/tiny", required, optional, o)
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Count("GET", "/resolve/") - before; n != 0 || len(f.Downloaded) != 0 {
		t.Errorf("second fetch downloaded %d files (%v), want none", n, f.Downloaded)
	}
	if srv.Count("GET", "/api/models/owner/tiny/revision/main") < 2 {
		t.Error("the second fetch of a branch should ask the hub for its current commit")
	}
}

// TestRevision: a tag gives its own commit's files; a new commit on main is picked up; a cached
// commit hash is served without asking the hub (the server is closed).
func TestRevision(t *testing.T) {
	srv, o, main, old := setup(t)
	o.Revision = "v1"
	f, err := pretrained.Fetch("owner/tiny", required, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	if f.Commit != old || read(t, f, "config.json") != `{"version": "old"}` {
		t.Errorf("v1: commit %s, config %q; want %s, old", f.Commit, read(t, f, "config.json"), old)
	}
	o.Revision = ""
	if f, err = pretrained.Fetch("owner/tiny", required, nil, o); err != nil || f.Commit != main {
		t.Fatalf("main: %v, %+v", err, f)
	}
	newer := srv.Add("owner/tiny", "main", repoFiles("newer"))
	if f, err = pretrained.Fetch("owner/tiny", required, nil, o); err != nil || f.Commit != newer || read(t, f, "config.json") != `{"version": "newer"}` {
		t.Fatalf("main after a new commit: %v, %+v", err, f)
	}
	srv.Close()
	o.Revision = old
	f, err = pretrained.Fetch("owner/tiny", required, nil, o)
	if err != nil || !f.FromCache || read(t, f, "config.json") != `{"version": "old"}` {
		t.Errorf("pinned cached commit with the hub gone: %v, %+v", err, f)
	}
	o.Revision = "no/such..rev"
	if _, err := pretrained.Fetch("owner/tiny", required, nil, o); err == nil || !strings.Contains(err.Error(), `revision "no/such..rev"`) {
		t.Errorf("bad revision name: %v", err)
	}
}

// TestETagChecked: a damaged or truncated body is an error naming the file and the hashes; the bad
// blob is removed, so that the next fetch (the server fixed) downloads and succeeds.
func TestETagChecked(t *testing.T) {
	for _, tc := range []struct {
		name  string
		file  string
		fault hubtest.Fault
		want  string
	}{
		{"damaged LFS file", "model.safetensors", hubtest.Damage, "SHA-256"},
		{"damaged git file", "config.json", hubtest.Damage, "git blob SHA-1"},
		{"truncated LFS file", "model.safetensors", hubtest.Truncate, "(6144 bytes) is truncated or damaged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, o, main, _ := setup(t)
			srv.SetFault("owner/tiny", tc.file, tc.fault)
			_, err := pretrained.Fetch("owner/tiny", required, nil, o)
			if err == nil || !strings.Contains(err.Error(), "downloading "+tc.file) || !strings.Contains(err.Error(), tc.want) ||
				!strings.Contains(err.Error(), hubtest.ETag(tc.file, repoFiles("new")[tc.file])) {
				t.Fatalf("error %v, want one naming %s, %q and the ETag", err, tc.file, tc.want)
			}
			snapshot := filepath.Join(o.CacheDir, "models--owner--tiny", "snapshots", main, tc.file)
			if _, err := os.Lstat(snapshot); !os.IsNotExist(err) {
				t.Errorf("the damaged file is still in the cache: %v", err)
			}
			srv.SetFault("owner/tiny", tc.file, hubtest.NoFault)
			f, err := pretrained.Fetch("owner/tiny", required, nil, o)
			if err != nil {
				t.Fatalf("after the fault is gone: %v", err)
			}
			if got := read(t, f, tc.file); got != string(repoFiles("new")[tc.file]) {
				t.Errorf("%s has %d bytes after the retry", tc.file, len(got))
			}
		})
	}
}

// TestNotFound: an unknown repository, an unknown revision, a required file the repository does
// not have, and a listed file the hub does not serve are errors that say which.
func TestNotFound(t *testing.T) {
	srv, o, _, _ := setup(t)
	for _, tc := range []struct {
		id, revision string
		required     []string
		want         []string
	}{
		{"owner/nothing", "", required, []string{"owner/nothing@main", "404"}},
		{"owner/tiny", "v9", required, []string{"owner/tiny@v9", "404"}},
		{"owner/tiny", "", []string{"config.json", "vocab.txt"}, []string{"owner/tiny@main", "has no vocab.txt"}},
	} {
		o.Revision = tc.revision
		_, err := pretrained.Fetch(tc.id, tc.required, nil, o)
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s@%s %v: error %v, want it to mention %q", tc.id, tc.revision, tc.required, err, w)
			}
		}
	}
	o.Revision = ""
	srv.SetFault("owner/tiny", "model.safetensors", hubtest.Missing)
	if _, err := pretrained.Fetch("owner/tiny", required, nil, o); err == nil || !strings.Contains(err.Error(), "downloading model.safetensors") ||
		!strings.Contains(err.Error(), "404") {
		t.Errorf("listed but not served: %v", err)
	}
}

// TestOffline: HF_HUB_OFFLINE=1 serves the cached snapshot without any request, says clearly when
// the cache lacks the repository or a file, and finds snapshots that huggingface_hub wrote (refs/).
// Online with the hub unreachable, the cache is used too.
func TestOffline(t *testing.T) {
	srv, o, main, _ := setup(t)
	t.Setenv("HF_HUB_OFFLINE", "1")
	if _, err := pretrained.Fetch("owner/tiny", required, nil, o); err == nil ||
		!strings.Contains(err.Error(), "offline (HF_HUB_OFFLINE)") || !strings.Contains(err.Error(), "owner/tiny@main is not in the hub cache") {
		t.Errorf("offline, empty cache: %v", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("offline mode made %d requests", n)
	}
	t.Setenv("HF_HUB_OFFLINE", "")
	if _, err := pretrained.Fetch("owner/tiny", required, nil, o); err != nil {
		t.Fatal(err)
	}
	n := len(srv.Requests())
	t.Setenv("HF_HUB_OFFLINE", "1")
	f, err := pretrained.Fetch("owner/tiny", required, optional, o)
	if err != nil || !f.FromCache || f.Commit != main || read(t, f, "config.json") != `{"version": "new"}` {
		t.Fatalf("offline from the cache: %v, %+v", err, f)
	}
	if len(srv.Requests()) != n {
		t.Error("offline mode made requests")
	}
	if _, err := pretrained.Fetch("owner/tiny", []string{"vocab.txt"}, nil, o); err == nil || !strings.Contains(err.Error(), "has no vocab.txt") {
		t.Errorf("offline, file not cached: %v", err)
	}
	// huggingface_hub's cache has refs/<revision> and no info/: found the same way.
	root := filepath.Join(o.CacheDir, "models--owner--tiny")
	if err := os.RemoveAll(filepath.Join(root, "info")); err != nil {
		t.Fatal(err)
	}
	if f, err := pretrained.Fetch("owner/tiny", required, nil, o); err != nil || f.Commit != main {
		t.Errorf("offline with refs/ only: %v", err)
	}
	t.Setenv("HF_HUB_OFFLINE", "")
	srv.Close()
	if f, err := pretrained.Fetch("owner/tiny", required, nil, o); err != nil || !f.FromCache {
		t.Errorf("hub unreachable, files cached: %v, %+v", err, f)
	}
	if _, err := pretrained.Fetch("owner/other", required, nil, o); err == nil || !strings.Contains(err.Error(), "cannot be reached") {
		t.Errorf("hub unreachable, nothing cached: %v", err)
	}
}

// TestLocalDirectory: a directory is used as it is; a missing file, a file instead of a directory
// and a name that is neither are errors.
func TestLocalDirectory(t *testing.T) {
	dir := t.TempDir()
	for name, data := range repoFiles("local") {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := pretrained.Fetch(dir, required, optional, pretrained.Options{Offline: true})
	if err != nil || f.Dir != dir || f.Repo != "" || !f.Has("1_Pooling/config.json") || f.String() != dir {
		t.Fatalf("local: %v, %+v", err, f)
	}
	for src, want := range map[string]string{
		dir:                                  "has no vocab.txt",
		filepath.Join(dir, "config.json"):    "is a file",
		filepath.Join(dir, "no", "such/dir"): "not a hub id",
		"":                                   "no model given",
	} {
		if _, err := pretrained.Fetch(src, []string{"vocab.txt"}, nil, pretrained.Options{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Fetch(%q): %v, want %q", src, err, want)
		}
	}
}

func TestIsHubID(t *testing.T) {
	for s, want := range map[string]bool{
		"gpt2": true, "bert-base-chinese": true, "sentence-transformers/all-MiniLM-L6-v2": true, "uer/gpt2-chinese-cluecorpussmall": true,
		"a/b/c": false, "../x": false, "/abs": false, "x/..": false, "-x": false, "": false, "a b": false, "a..b": false,
	} {
		if got := pretrained.IsHubID(s); got != want {
			t.Errorf("IsHubID(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestBundled(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(pretrained.EnvModelsDir, dir)
	if _, err := pretrained.Bundled("x"); err == nil || !strings.Contains(err.Error(), "has no x/config.json") {
		t.Errorf("missing: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x", "config.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := pretrained.Bundled("x"); err != nil || got != filepath.Join(dir, "x") {
		t.Errorf("Bundled(x) = %q, %v", got, err)
	}
	t.Setenv(pretrained.EnvModelsDir, "")
	if _, err := pretrained.Bundled("no-such-model"); err == nil || !strings.Contains(err.Error(), "run scripts/setup.sh") {
		t.Errorf("not installed: %v", err)
	}
}
