package nb

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
)

func TestPickFollowsQuickMode(t *testing.T) {
	t.Setenv(QuickEnv, "1")
	if !Quick() || Pick(3000, 30) != 30 {
		t.Error("quick mode: want the quick value")
	}
	t.Setenv(QuickEnv, "")
	if Quick() || Pick("full", "quick") != "full" {
		t.Error("full run: want the full value")
	}
}

// TestCached: the first call computes and stores, the second reads the file back without
// computing; a damaged file is an error naming it, not a silent recomputation.
func TestCached(t *testing.T) {
	dir := t.TempDir()
	type result struct {
		Loss  float64
		Steps []int
	}
	calls := 0
	compute := func() result { calls++; return result{Loss: 1.5, Steps: []int{1, 2}} }
	a := Cached(dir, "run.json", compute)
	b := Cached(dir, "run.json", compute)
	if calls != 1 || a.Loss != b.Loss || len(b.Steps) != 2 {
		t.Fatalf("computed %d times; %+v then %+v", calls, a, b)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte("{half"), 0o644); err != nil {
		t.Fatal(err)
	}
	defer func() {
		r := recover()
		if err, ok := r.(error); !ok || !strings.Contains(err.Error(), "bad.json") {
			t.Errorf("damaged cache: %v", r)
		}
	}()
	Cached(dir, "bad.json", compute)
}

func TestJSONAndWorkDir(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	dir := WorkDir("test")
	if st, err := os.Stat(dir); err != nil || !st.IsDir() || filepath.Base(dir) != "bert2gpt-test" {
		t.Fatalf("WorkDir: %s, %v", dir, err)
	}
	if err := SaveJSON(dir, "x.json", map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	var got map[string]int
	if err := LoadJSON(dir, "x.json", &got); err != nil || got["a"] != 1 {
		t.Fatalf("round trip: %v, %v", got, err)
	}
	if err := LoadJSON(dir, "missing.json", &got); err == nil || !strings.Contains(err.Error(), "run the cell") {
		t.Errorf("missing file: %v", err)
	}
}

func TestIDsAndText(t *testing.T) {
	tok, err := tokenizer.TrainChar([]string{"床前明月光"}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids := IDs(tok, "明月")
	if len(ids) != 2 || Text(tok, ids) != "明月" {
		t.Fatalf("IDs %v, Text %q", ids, Text(tok, ids))
	}
	defer func() {
		if recover() == nil {
			t.Error("an id outside the vocabulary did not panic")
		}
	}()
	Text(tok, []int32{999})
}

func TestMust1(t *testing.T) {
	if Must1(7, nil) != 7 {
		t.Error("Must1 changed the value")
	}
	defer func() {
		if recover() == nil {
			t.Error("Must1 with an error did not panic")
		}
	}()
	Must1(0, os.ErrNotExist)
}

func TestMedianAndMaxAbsDiff(t *testing.T) {
	if got := Median([]float64{5, 1, 100}); got != 5 {
		t.Errorf("Median odd = %v, want 5", got)
	}
	if got := Median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("Median even = %v, want 2.5", got)
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("Median(nil) must be NaN")
	}
	xs := []float64{3, 1, 2}
	Median(xs)
	if xs[0] != 3 {
		t.Error("Median must not reorder its argument")
	}
	if got := MaxAbsDiff([]float64{1, 2, 3}, []float64{1, 2.5, 1}); got != 2 {
		t.Errorf("MaxAbsDiff = %v, want 2", got)
	}
}

func TestCosinesAndRanked(t *testing.T) {
	if got := Cosine([]float32{1, 0}, []float32{1, 1}); math.Abs(got-1/math.Sqrt2) > 1e-12 {
		t.Errorf("Cosine = %v, want 1/√2", got)
	}
	if got := Cosine([]float64{0, 0}, []float64{1, 1}); got != 0 {
		t.Errorf("Cosine with a zero vector = %v, want 0", got)
	}
	m := Cosines([][]float64{{1, 0}, {0, 2}}, [][]float64{{3, 0}, {0, 1}, {-1, 0}})
	want := [][]float64{{1, 0, -1}, {0, 1, 0}}
	for i := range want {
		for j := range want[i] {
			if math.Abs(m[i][j]-want[i][j]) > 1e-12 {
				t.Fatalf("Cosines = %v, want %v", m, want)
			}
		}
	}
	got := Ranked([]float64{0.5, 0.9, 0.5, 0.1})
	if !slices.Equal(got, []int{1, 0, 2, 3}) {
		t.Errorf("Ranked = %v, want [1 0 2 3] (ties in their order)", got)
	}
}

func TestMaxAbsDiffFloat32(t *testing.T) {
	if got := MaxAbsDiff([]float32{1, 2}, []float32{1.5, 2}); got != 0.5 {
		t.Errorf("MaxAbsDiff float32 = %v, want 0.5", got)
	}
}
