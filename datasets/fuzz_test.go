package datasets

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzPoemLoaders: malformed JSON lines and tarballs give errors, never panics.
func FuzzPoemLoaders(f *testing.F) {
	f.Add([]byte(`{"id":"1","title":"t","author":"a","lines":["x"]}` + "\n"))
	f.Add([]byte("{\n"))
	f.Add([]byte("\x1f\x8b\x08\x00garbage"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ReadPoemsJSONL(bytes.NewReader(data), "fuzz.jsonl")
		dir := t.TempDir()
		p := filepath.Join(dir, "x.tgz")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := ExtractPoems(p, filepath.Join(dir, "out")); err == nil && len(data) < 20 {
			t.Fatalf("tiny input %q extracted without error", data)
		}
		_ = Checksum{SHA256: "00"}.Verify(p)
	})
}

// FuzzChineseNumeral: any int64 gives a numeral or an error, never a panic.
func FuzzChineseNumeral(f *testing.F) {
	for _, n := range []int64{0, 10, 1001, -1, MaxChineseNumeral, MaxChineseNumeral + 1, -1 << 63} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		s, err := ChineseNumeral(n)
		if (err == nil) != (n >= 0 && n <= MaxChineseNumeral) || (err == nil && s == "") {
			t.Fatalf("ChineseNumeral(%d) = %q, %v", n, s, err)
		}
	})
}

// FuzzPoemManifest: any manifest.json gives poems or an error, never a panic; poems load only when
// the manifest's sum is the file's. (Files are left out: a temporary directory per input made the
// fuzzer's minimisation of each new input take a minute.)
func FuzzPoemManifest(f *testing.F) {
	jsonl := []byte(`{"id":"1","title":"靜夜思","author":"李白","lines":["床前明月光，疑是地上霜。"]}` + "\n")
	sum := SHA256Hex(jsonl)
	f.Add([]byte(`{"source":"chinese-poetry@2.0.1","files":{"tang.jsonl":"` + sum + `"},"counts":{"tang":1}}`))
	f.Add([]byte(`{"files":{"../tang.jsonl":"` + sum + `"}}`))
	f.Add([]byte(`{"files":{"tang.jsonl":"00"},"counts":{"tang":-1}}`))
	f.Add([]byte(`{"files":null}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) { // in memory: parseManifest and verifiedPoems are what readPoemsVerified runs on the files
		m, err := parseManifest(data)
		if err != nil {
			return
		}
		poems, err := verifiedPoems(m, "tang.jsonl", jsonl, "tang.jsonl")
		if err != nil {
			return
		}
		if m.Files["tang.jsonl"] != sum || len(poems) != 1 || poems[0].Author != "李白" {
			t.Fatalf("loaded %v with manifest %+v", poems, m)
		}
	})
}
