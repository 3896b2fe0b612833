package gpt

import (
	"slices"
	"testing"
)

// TestBatchesFrom: StepBatches (now built on BatchesFrom) yields BatchAt(0…Count−1), and a custom
// batchAt reaches the trainer unchanged.
func TestBatchesFrom(t *testing.T) {
	tokens := make([]int32, 200)
	for i := range tokens {
		tokens[i] = int32(i % 17)
	}
	sb := &StepBatches{Tokens: tokens, SeqLen: 8, Batch: 3, Seed: 5, Count: 4}
	k := int64(0)
	for b, err := range sb.Iter() {
		if err != nil {
			t.Fatal(err)
		}
		in, tg := sb.BatchAt(k)
		gotIn, gotTg := b.Inputs[0].Value().([][]int32), b.Labels[0].Value().([][]int32)
		for r := range in {
			if !slices.Equal(gotIn[r], in[r]) || !slices.Equal(gotTg[r], tg[r]) {
				t.Fatalf("batch %d row %d differs from BatchAt", k, r)
			}
		}
		k++
	}
	if k != 4 {
		t.Fatalf("%d batches, want Count = 4", k)
	}
	d := BatchesFrom(nil, 2, func(k int64) ([][]int32, [][]int32) {
		return [][]int32{{int32(k), 1}}, [][]int32{{1, IgnoreIndex}}
	})
	var firsts []int32
	for b := range d.Iter() {
		firsts = append(firsts, b.Inputs[0].Value().([][]int32)[0][0])
		if b.Labels[0].Value().([][]int32)[0][1] != IgnoreIndex {
			t.Fatal("targets changed on the way")
		}
	}
	if !slices.Equal(firsts, []int32{0, 1}) {
		t.Fatalf("batches %v, want k = 0, 1", firsts)
	}
}
