package datasets

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func testFetcher(t *testing.T) *Fetcher {
	t.Helper()
	return &Fetcher{CacheDir: t.TempDir(), Client: http.DefaultClient}
}

func serve(t *testing.T, content []byte, hits *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write(content)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchDownloadCacheAndCorruption(t *testing.T) {
	content := []byte(strings.Repeat("First Citizen:\nBefore we proceed any further, hear me speak.\n", 50))
	var hits atomic.Int32
	srv := serve(t, content, &hits)
	f := testFetcher(t)
	rf := RemoteFile{RelPath: "x/input.txt", URL: srv.URL + "/input.txt", Checksum: Checksum{SHA256: SHA256Hex(content), Size: int64(len(content))}}
	ctx := context.Background()
	p, err := f.File(ctx, rf)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, content) || hits.Load() != 1 {
		t.Fatalf("bad download (hits=%d)", hits.Load())
	}
	// Cached: no new request.
	if _, err := f.File(ctx, rf); err != nil || hits.Load() != 1 {
		t.Fatalf("expected cache hit, err=%v hits=%d", err, hits.Load())
	}
	// Truncated cache file: fetched again.
	if err := os.WriteFile(p, content[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := f.File(ctx, rf); err != nil || hits.Load() != 2 {
		t.Fatalf("expected re-download of truncated file, err=%v hits=%d", err, hits.Load())
	}
	// Same size, corrupted content: fetched again.
	bad := bytes.ToUpper(content)
	if err := os.WriteFile(p, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := f.File(ctx, rf); err != nil || hits.Load() != 3 {
		t.Fatalf("expected re-download of corrupted file, err=%v hits=%d", err, hits.Load())
	}
	// No temporary files left behind.
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		t.Fatalf("leftover files in cache: %v", entries)
	}
}

func TestFetchBadServerContentLeavesNothing(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, []byte("not the file"), &hits)
	f := testFetcher(t)
	rf := RemoteFile{RelPath: "input.txt", URL: srv.URL, Checksum: Checksum{SHA256: SHA256Hex([]byte("the file"))}}
	_, err := f.File(context.Background(), rf)
	if err == nil || !strings.Contains(err.Error(), "sha256 mismatch") || !strings.Contains(err.Error(), "put it at") {
		t.Fatalf("want a hash error with a hint, got %v", err)
	}
	entries, _ := os.ReadDir(f.CacheDir)
	if len(entries) != 0 {
		t.Fatalf("partial/bad file left in cache: %v", entries)
	}
}

func TestFetchHTTPErrorAndOffline(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	f := testFetcher(t)
	rf := RemoteFile{RelPath: "a/b.txt", URL: srv.URL + "/b.txt", Checksum: Checksum{SHA256: SHA256Hex(nil)}}
	if _, err := f.File(context.Background(), rf); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("want 404 error, got %v", err)
	}
	f.Offline = true
	_, err := f.File(context.Background(), rf)
	if err == nil || !strings.Contains(err.Error(), "offline") || !strings.Contains(err.Error(), filepath.Join(f.CacheDir, "a", "b.txt")) {
		t.Fatalf("want offline error naming the cache path, got %v", err)
	}
}

func TestFetchDataDir(t *testing.T) {
	content := []byte("hello")
	f := testFetcher(t)
	f.Offline = true
	f.DataDir = t.TempDir()
	rf := RemoteFile{RelPath: "d/h.txt", Checksum: Checksum{SHA256: SHA256Hex(content)}}
	_ = os.MkdirAll(filepath.Join(f.DataDir, "d"), 0o755)
	_ = os.WriteFile(filepath.Join(f.DataDir, "d", "h.txt"), content, 0o644)
	if p, err := f.File(context.Background(), rf); err != nil || !strings.HasPrefix(p, f.DataDir) {
		t.Fatalf("got %q, %v", p, err)
	}
	_ = os.WriteFile(filepath.Join(f.DataDir, "d", "h.txt"), []byte("hellO"), 0o644)
	if _, err := f.File(context.Background(), rf); err == nil {
		t.Fatal("corrupted data-dir file accepted")
	}
}

// buildPoetryTarball writes a small tarball shaped like chinese-poetry's.
func buildPoetryTarball(t *testing.T) (path, integrity string) {
	t.Helper()
	files := map[string]string{
		"package/package.json": `{"name":"chinese-poetry","version":"2.0.1"}`,
		"package/dist/quantangshi/poet.tang.0.json": `[
 {"author":"李白","paragraphs":["床前明月光，疑是地上霜。","舉頭望明月，低頭思故鄉。"],"title":"靜夜思","id":"id-1"},
 {"author":"無名","paragraphs":["  ",""],"title":"空","id":"id-empty"}]`,
		"package/dist/quantangshi/poet.tang.1000.json": `[
 {"author":"王之渙","paragraphs":["白日依山盡，黃河入海流。","欲窮千里目，更上一層樓。"],"title":"登鸛雀樓","id":"id-2"},
 {"author":"杜甫","paragraphs":["兩個黃鸝鳴翠柳，一行白鷺上青天。","窗含西嶺千秋雪，門泊東吳萬里船。"],"title":"絕句","id":"id-3"}]`,
		"package/dist/quantangshi/poet.song.0.json":       `[{"author":"蘇軾","paragraphs":["橫看成嶺側成峰，遠近高低各不同。"],"title":"題西林壁","id":"s-1"}]`,
		"package/dist/quantangshi/error/poet.tang.0.json": `not json: must be ignored`,
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, name := range []string{"package/package.json", "package/dist/quantangshi/poet.tang.1000.json",
		"package/dist/quantangshi/error/poet.tang.0.json", "package/dist/quantangshi/poet.tang.0.json",
		"package/dist/quantangshi/poet.song.0.json"} {
		body := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(body))
	}
	_ = tw.Close()
	_ = gz.Close()
	path = filepath.Join(t.TempDir(), "chinese-poetry-2.0.1.tgz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum512(buf.Bytes())
	return path, "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
}

func TestPoemsThroughNpm(t *testing.T) {
	tgz, integrity := buildPoetryTarball(t)
	saved := ChinesePoetry
	ChinesePoetry.Integrity = integrity
	defer func() { ChinesePoetry = saved }()

	f := testFetcher(t)
	var packs atomic.Int32
	f.NpmPack = func(ctx context.Context, spec, dir string) (string, error) {
		packs.Add(1)
		if spec != "chinese-poetry@2.0.1" {
			t.Errorf("npm pack called with %q", spec)
		}
		data, _ := os.ReadFile(tgz)
		out := filepath.Join(dir, "chinese-poetry-2.0.1.tgz")
		return out, os.WriteFile(out, data, 0o644)
	}
	ctx := context.Background()
	tang, err := f.Poems(ctx, Tang)
	if err != nil {
		t.Fatal(err)
	}
	if len(tang) != 3 || tang[0].ID != "id-1" || tang[2].ID != "id-3" {
		t.Fatalf("want 3 Tang poems in file order, got %+v", tang)
	}
	if tang[0].Lines[1] != "舉頭望明月，低頭思故鄉。" || tang[0].Author != "李白" {
		t.Fatalf("bad normalization: %+v", tang[0])
	}
	if got := tang[0].Form().String(); got != "五言绝句" {
		t.Errorf("form of 靜夜思 = %s", got)
	}
	if got := tang[2].Form().String(); got != "七言绝句" {
		t.Errorf("form of 絕句 = %s", got)
	}
	if n := len(FilterPoems(tang, WuyanJueju)); n != 2 {
		t.Errorf("五言绝句: %d, want 2", n)
	}
	song, err := f.Poems(ctx, Song)
	if err != nil || len(song) != 1 {
		t.Fatalf("song: %v %v", song, err)
	}
	if packs.Load() != 1 {
		t.Fatalf("npm pack ran %d times, want 1", packs.Load())
	}
	// Corrupt the extracted file: it is re-extracted from the cached tarball, without npm.
	p := filepath.Join(f.CacheDir, filepath.FromSlash(extractedDir), "tang.jsonl")
	_ = os.WriteFile(p, []byte("{}\n"), 0o644)
	if tang2, err := f.Poems(ctx, Tang); err != nil || len(tang2) != 3 || packs.Load() != 1 {
		t.Fatalf("re-extraction failed: %v, %d poems, %d packs", err, len(tang2), packs.Load())
	}
	// Corrupt the tarball too: npm pack runs again.
	_ = os.WriteFile(f.CachePath(RemoteFile{RelPath: ChinesePoetry.RelPath}), []byte("garbage"), 0o644)
	_ = os.Remove(p)
	if _, err := f.Poems(ctx, Tang); err != nil || packs.Load() != 2 {
		t.Fatalf("re-fetch failed: %v, %d packs", err, packs.Load())
	}
	if _, err := f.Poems(ctx, Dynasty("ming")); err == nil {
		t.Fatal("unknown dynasty accepted")
	}
}

func TestNpmIntegrityMismatch(t *testing.T) {
	tgz, _ := buildPoetryTarball(t)
	f := testFetcher(t)
	f.NpmPack = func(ctx context.Context, spec, dir string) (string, error) {
		data, _ := os.ReadFile(tgz)
		out := filepath.Join(dir, "x.tgz")
		return out, os.WriteFile(out, data, 0o644)
	}
	_, err := f.Poems(context.Background(), Tang) // real pinned integrity: must not match
	if err == nil || !strings.Contains(err.Error(), "integrity mismatch") || !strings.Contains(err.Error(), "npm pack chinese-poetry@2.0.1") {
		t.Fatalf("want integrity error with hint, got %v", err)
	}
	if _, err := os.Stat(f.CachePath(RemoteFile{RelPath: ChinesePoetry.RelPath})); err == nil {
		t.Fatal("unverified tarball left in cache")
	}
}

func TestRealTangPoemsIfCached(t *testing.T) {
	f, err := NewFetcher()
	if err != nil {
		t.Skip(err)
	}
	f.Offline, f.Progress = true, nil
	if _, err := f.NpmTarball(context.Background(), ChinesePoetry); err != nil {
		t.Skipf("skipping: chinese-poetry@2.0.1 is not cached locally (call datasets.TangPoems once online to fetch it): %v", err)
	}
	tang, err := f.Poems(context.Background(), Tang)
	if err != nil {
		t.Fatal(err)
	}
	if len(tang) != 57603 { // 57,607 in the source, 4 without any text
		t.Errorf("Tang poems: %d, want 57603", len(tang))
	}
	train, valid := SplitPoems(tang, 0.1)
	if frac := float64(len(valid)) / float64(len(tang)); frac < 0.09 || frac > 0.11 {
		t.Errorf("validation fraction %.3f (train %d)", frac, len(train))
	}
	t.Logf("Tang: %d poems; 五言绝句 %d, 七言绝句 %d, 五言律诗 %d, 七言律诗 %d", len(tang),
		len(FilterPoems(tang, WuyanJueju)), len(FilterPoems(tang, QiyanJueju)),
		len(FilterPoems(tang, WuyanLushi)), len(FilterPoems(tang, QiyanLushi)))
}
