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
