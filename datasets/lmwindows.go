package datasets

import (
	"iter"

	"github.com/gomlx/gomlx/ml/train"
	"github.com/pkg/errors"
)

// LMWindows yields causal language-model batches from one long token stream (ch09, GPT):
// for a window starting at i, the input is tokens[i : i+T] and the target tokens[i+1 : i+T+1].
//
// Batch.Inputs = [inputs int32 [B, T]], Batch.Labels = [targets int32 [B, T]].
//
// Random mode (the default, for training): offsets uniform in [0, len-T-1], an endless
// stream unless NumBatches > 0. Sequential mode (for evaluation): non-overlapping windows
// 0, T, 2T, … once over the data; a last incomplete batch is dropped.
type LMWindows struct {
	stream
	name       string
	tokens     []int32
	seqLen     int
	batchSize  int
	sequential bool
	// NumBatches, if > 0, ends each pass after that many batches.
	NumBatches int
}

// NewLMWindows makes a random-window LM dataset over tokens; it needs at least seqLen+1
// tokens.
func NewLMWindows(name string, tokens []int, seqLen, batchSize int, seed uint64) (*LMWindows, error) {
	if seqLen < 1 || batchSize < 1 {
		return nil, errors.Errorf("NewLMWindows(%q): seqLen=%d and batchSize=%d must be ≥ 1", name, seqLen, batchSize)
	}
	if len(tokens) < seqLen+1 {
		return nil, errors.Errorf("NewLMWindows(%q): %d tokens is too few for windows of %d (+1 for the target)", name, len(tokens), seqLen)
	}
	t32 := make([]int32, len(tokens))
	for i, t := range tokens {
		if t < 0 || t > 1<<31-1 {
			return nil, errors.Errorf("NewLMWindows(%q): token %d at position %d out of int32 range", name, t, i)
		}
		t32[i] = int32(t)
	}
	d := &LMWindows{name: name, tokens: t32, seqLen: seqLen, batchSize: batchSize}
	d.seed = seed
	return d, nil
}

// Sequential switches to sequential mode (see [LMWindows]) and returns d.
func (d *LMWindows) Sequential() *LMWindows { d.sequential = true; return d }

// Name implements train.Dataset.
func (d *LMWindows) Name() string { return d.name }

// Window returns the input and target of the window starting at offset i.
func (d *LMWindows) Window(i int) (input, target []int32) {
	return d.tokens[i : i+d.seqLen], d.tokens[i+1 : i+d.seqLen+1]
}

// Iter implements train.Dataset.
func (d *LMWindows) Iter() iter.Seq2[train.Batch, error] {
	return func(yield func(train.Batch, error) bool) {
		r, _ := d.nextRand()
		B, T := d.batchSize, d.seqLen
		maxStart := len(d.tokens) - T - 1
		next := 0
		for n := 0; d.NumBatches <= 0 || n < d.NumBatches; n++ {
			x := make([]int32, B*T)
			y := make([]int32, B*T)
			for b := range B {
				var i int
				if d.sequential {
					if next > maxStart {
						return
					}
					i = next
					next += T
				} else {
					i = r.IntN(maxStart + 1)
				}
				in, tg := d.Window(i)
				copy(x[b*T:], in)
				copy(y[b*T:], tg)
			}
			if !yield(train.Batch{Inputs: []*tensorT{int32Tensor(x, B, T)}, Labels: []*tensorT{int32Tensor(y, B, T)}}, nil) {
				return
			}
		}
	}
}
