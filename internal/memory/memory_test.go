package memory

import (
	"strings"
	"testing"
)

func TestParseSizeAndFormat(t *testing.T) {
	for in, want := range map[string]int64{"1024": 1024, "8G": 8 << 30, "512m": 512 << 20, "1.5K": 1536, " 2T ": 2 << 40} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v, want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "G", "-1", "lots", "1e30T", "NaN"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
	if got := Format(698_417_037_312); got != "698.4 GB" {
		t.Errorf("Format = %q", got)
	}
	if Product(3, 5, 7) != 105 || Product(1<<40, 1<<40) != -1 || Product(0, 1<<62, 1<<62) != 0 {
		t.Error("Product")
	}
}

func TestCheckUsesTheLimit(t *testing.T) {
	t.Setenv(EnvLimit, "1G")
	if err := Check("a small model", 100<<20); err != nil {
		t.Errorf("100 MB under a 1 GiB limit: %v", err)
	}
	err := Check("the model", 2<<30)
	if err == nil || !strings.Contains(err.Error(), "the model needs 2.1 GB") || !strings.Contains(err.Error(), EnvLimit) {
		t.Errorf("2 GiB over a 1 GiB limit: %v", err)
	}
	if err := Check("a giant", Product(1<<40, 1<<40)); err == nil {
		t.Error("an overflowing size passed")
	}
	t.Setenv(EnvLimit, "plenty")
	if err := Check("x", 1); err == nil || !strings.Contains(err.Error(), EnvLimit) {
		t.Errorf("bad limit: %v", err)
	}
	t.Setenv(EnvLimit, "")
	if avail, ok, err := Available(); err != nil || (ok && avail <= 0) {
		t.Errorf("measured %d, %v, %v", avail, ok, err)
	}
}
