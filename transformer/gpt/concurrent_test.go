package gpt

import (
	"slices"
	"sync"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/gomlx/gomlx/core/tensors"
)

// TestConcurrentGenerate: 4 goroutines generate at once on a fresh model (variables not yet
// created, no executor compiled), with and without the cache and with different cache lengths,
// while 2 more compute Logits and Loss of other shapes; each gets what a lone call gets. Before
// graph builds were serialised, the goroutines initialised the weights several times (each saw
// different random weights) and `go test -race` (scripts/race.sh) reported 129 races.
func TestConcurrentGenerate(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	c := tinyConfig()
	c.NPositions = 160
	m, err := New(be, c)
	if err != nil {
		t.Fatal(err)
	}
	prompts := [][]int32{{1, 2, 3}, {4}, {5, 6}, {7, 8, 9, 10}}
	opts := func(i int) GenerateOptions {
		return GenerateOptions{MaxNewTokens: 6 + 40*i, Temperature: 0.8, Seed: uint64(i), NoCache: i%2 == 1}
	}
	batch := [][]int32{{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}}
	got := make([][]int32, len(prompts))
	errs := make([]error, len(prompts)+2)
	var logits *tensors.Tensor
	var loss float64
	var wg sync.WaitGroup
	for i, p := range prompts {
		wg.Go(func() { got[i], errs[i] = m.Generate(p, opts(i)) })
	}
	wg.Go(func() { logits, errs[4] = m.Logits(batch) })
	wg.Go(func() { loss, errs[5] = m.Loss(batch[:1], [][]int32{{2, 3, 4, 5, 6}}) })
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("goroutine %d: %v", i, err)
		}
	}
	for i, p := range prompts {
		want, err := m.Generate(p, opts(i))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got[i], want) {
			t.Errorf("goroutine %d generated %v, alone %v", i, got[i], want)
		}
	}
	again, err := m.Logits(batch)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(tensors.MustCopyFlatData[float32](logits), tensors.MustCopyFlatData[float32](again)); d != 0 {
		t.Errorf("concurrent Logits differ from a lone call by %g", d)
	}
	if l, err := m.Loss(batch[:1], [][]int32{{2, 3, 4, 5, 6}}); err != nil || l != loss {
		t.Errorf("concurrent Loss %g, alone %g (%v)", loss, l, err)
	}
}
