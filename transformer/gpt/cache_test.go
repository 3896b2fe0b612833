package gpt

import (
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/gomlx/gomlx/core/tensors"
)

// TestCacheMatchesFullForward: for every position of a sequence, the cached step's logits equal the
// full forward pass's logits (1e-5), and cached/uncached greedy and sampled generations agree.
func TestCacheMatchesFullForward(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	c := tinyConfig()
	c.NPositions = 40
	m, err := New(be, c)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	seq := make([]int32, 20)
	for i := range seq {
		seq[i] = int32(r.IntN(c.VocabSize))
	}
	full, err := m.Logits([][]int32{seq})
	if err != nil {
		t.Fatal(err)
	}
	fullFlat := tensors.MustCopyFlatData[float32](full)
	dec := m.cachedDecoder(len(seq))
	V := c.VocabSize
	worst := 0.0
	for i := range seq {
		from := i
		if i == 0 {
			from = -1
		}
		got, err := dec(seq[:i+1], from)
		if err != nil {
			t.Fatal(err)
		}
		d := maxAbsDiff(got, fullFlat[i*V:(i+1)*V])
		worst = max(worst, d)
	}
	t.Logf("max |Δlogits| cached vs full forward over %d positions: %.3g", len(seq), worst)
	if worst > 1e-5 {
		t.Fatalf("cached logits differ from the full forward by %g", worst)
	}
	for _, o := range []GenerateOptions{{MaxNewTokens: 15}, {MaxNewTokens: 15, Temperature: 0.9, TopK: 5, TopP: 0.9, Seed: 7}} {
		a, err := m.Generate(seq[:4], o)
		if err != nil {
			t.Fatal(err)
		}
		o.NoCache = true
		b, err := m.Generate(seq[:4], o)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != 15 || len(b) != 15 {
			t.Fatalf("lengths %d %d", len(a), len(b))
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("cached %v vs uncached %v (options %+v)", a, b, o)
			}
		}
	}
}

func TestGenerateStopAndStream(t *testing.T) {
	m := loadTiny(t)
	f := readFixture(t)
	var streamed []int32
	stopAt := f.Greedy[3]
	out, err := m.Generate(f.Prompt, GenerateOptions{MaxNewTokens: 10, StopTokens: []int32{stopAt},
		OnToken: func(id int32) error { streamed = append(streamed, id); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 || out[len(out)-1] != stopAt || len(out) > 4 {
		t.Fatalf("generation %v did not stop at the first %d (greedy %v)", out, stopAt, f.Greedy)
	}
	if len(streamed) != len(out) {
		t.Fatalf("streamed %v, returned %v", streamed, out)
	}
	for _, bad := range []GenerateOptions{{MaxNewTokens: 0}, {MaxNewTokens: 1, Temperature: -1}, {MaxNewTokens: 1, TopP: 2}, {MaxNewTokens: 1, TopK: -3}} {
		if _, err := m.Generate(f.Prompt, bad); err == nil {
			t.Errorf("no error for %+v", bad)
		}
	}
}

func TestSampleFilters(t *testing.T) {
	logits := []float32{0, 5, 1, 4, 2}
	r := rand.New(rand.NewPCG(1, 1))
	if Sample(logits, 0, 0, 0, r) != 1 {
		t.Fatal("greedy must pick the argmax")
	}
	seen := map[int32]bool{}
	for range 500 {
		seen[Sample(logits, 1, 2, 0, r)] = true
	}
	if len(seen) != 2 || !seen[1] || !seen[3] {
		t.Fatalf("top-k 2 drew %v", seen)
	}
	// p(1) ≈ 0.64, p(3) ≈ 0.23: top-p 0.5 keeps only the best token.
	for range 100 {
		if s := Sample(logits, 1, 0, 0.5, r); s != 1 {
			t.Fatalf("top-p 0.5 drew %d", s)
		}
	}
}

// TestGeneratePastContext: both decoders keep going past n_positions (sliding window).
func TestGeneratePastContext(t *testing.T) {
	be, _ := backend.New()
	m, err := New(be, tinyConfig()) // n_positions 16
	if err != nil {
		t.Fatal(err)
	}
	for _, noCache := range []bool{false, true} {
		out, err := m.Generate([]int32{1, 2, 3}, GenerateOptions{MaxNewTokens: 40, NoCache: noCache})
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 40 {
			t.Fatalf("noCache=%v: %d tokens, want 40", noCache, len(out))
		}
	}
	if _, err := m.Generate(make([]int32, 17), GenerateOptions{MaxNewTokens: 1}); err == nil {
		t.Fatal("a prompt longer than the context was accepted")
	}
}

// sortedCandidates is the plain definition candidates must agree with: all ids stably sorted by
// decreasing logit, cut to topK.
func sortedCandidates(logits []float64, topK int) []int {
	idx := make([]int, len(logits))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return logits[idx[a]] > logits[idx[b]] })
	if topK > 0 && topK < len(idx) {
		idx = idx[:topK]
	}
	return idx
}

func TestCandidatesMatchStableSort(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for trial := range 200 {
		logits := make([]float64, 1+r.IntN(300))
		for i := range logits {
			logits[i] = float64(r.IntN(20)) / 4 // many ties
		}
		for _, k := range []int{1, 2, 5, 40, len(logits) - 1} {
			if k < 1 || k >= len(logits) {
				continue
			}
			if got, want := candidates(logits, k), sortedCandidates(logits, k); !slices.Equal(got, want) {
				t.Fatalf("trial %d, V=%d, topK=%d: candidates %v, stable sort %v", trial, len(logits), k, got, want)
			}
		}
	}
}
