package datasets

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
)

// deadPID returns the id of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.Pid()
}

// TestDownloadRemovesKilledDownloads: temporary files of downloads that were killed (the names
// the fetcher uses now and used before) are removed by the next successful download.
func TestDownloadRemovesKilledDownloads(t *testing.T) {
	content := []byte("First Citizen:\nBefore we proceed any further, hear me speak.\n")
	var hits atomic.Int32
	srv := serve(t, content, &hits)
	f := testFetcher(t)
	rf := RemoteFile{RelPath: "tinyshakespeare/input.txt", URL: srv.URL, Checksum: Checksum{SHA256: SHA256Hex(content)}}
	dir := filepath.Dir(f.CachePath(rf))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".input.txt.tmp-3141592653", ".input.txt.tmp-" + strconv.Itoa(deadPID(t)) + "-27"} {
		if err := os.WriteFile(filepath.Join(dir, name), content[:10], 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.File(context.Background(), rf); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "input.txt" {
		t.Fatalf("left in the cache: %v", entries)
	}
}

// TestNpmPackRemovesKilledRuns: the temporary directories of npm pack runs that were killed (the
// earlier naming, and a dead process id) are removed by the next run; a live one's is kept.
func TestNpmPackRemovesKilledRuns(t *testing.T) {
	tgz, integrity := buildPoetryTarball(t)
	saved := ChinesePoetry
	ChinesePoetry.Integrity = integrity
	defer func() { ChinesePoetry = saved }()
	f := testFetcher(t)
	f.NpmPack = func(ctx context.Context, spec, dir string) (string, error) {
		data, _ := os.ReadFile(tgz)
		out := filepath.Join(dir, "chinese-poetry-2.0.1.tgz")
		return out, os.WriteFile(out, data, 0o644)
	}
	dir := filepath.Dir(f.CachePath(RemoteFile{RelPath: ChinesePoetry.RelPath}))
	live := ".npm-pack-" + strconv.Itoa(os.Getppid()) + "-5"
	for _, name := range []string{".npm-pack-123456789", ".npm-pack-" + strconv.Itoa(deadPID(t)) + "-7", live} {
		if err := os.MkdirAll(filepath.Join(dir, name, "package"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.NpmTarball(context.Background(), ChinesePoetry); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 2 || names[0] != live {
		t.Fatalf("left in the cache: %v, want the live run's directory and the tarball", names)
	}
}
