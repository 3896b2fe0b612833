package datasets

import (
	"iter"

	"github.com/gomlx/gomlx/ml/train"
	"github.com/pkg/errors"
)

// ClassificationExample is one labeled text (or text pair) as token ids without specials.
type ClassificationExample struct {
	A, B  []int // B may be empty (single-segment task)
	Label int
}

// ClassificationConfig configures [Classification].
type ClassificationConfig struct {
	Examples  []ClassificationExample
	MaxLen    int // T, [CLS] and [SEP]s included
	BatchSize int
	// CLS, SEP, PAD: special token ids.
	CLS, SEP, PAD int
	// Shuffle reorders the examples on every epoch (deterministically by Seed).
	Shuffle bool
	Seed    uint64
	// Epochs per pass over the data; 0 means endless (for training by steps).
	Epochs int
	// DropRemainder drops the last incomplete batch of each epoch.
	DropRemainder bool
}

// Classification yields padded classification batches (ch07/ch08 fine-tuning), encoded
// like BERT inputs: [CLS] A [SEP] (B [SEP]).
//
// Batch.Inputs = [input_ids, segment_ids, attention_mask], each int32 [B, T];
// Batch.Labels = [labels int32 [B]]. The last batch of an epoch may be smaller unless
// DropRemainder is set.
type Classification struct {
	stream
	name string
	cfg  ClassificationConfig
}

// NewClassification validates cfg and makes the dataset.
func NewClassification(name string, cfg ClassificationConfig) (*Classification, error) {
	if cfg.MaxLen < 3 || cfg.BatchSize < 1 || len(cfg.Examples) == 0 || cfg.Epochs < 0 {
		return nil, errors.Errorf("NewClassification(%q): MaxLen=%d (≥ 3), BatchSize=%d (≥ 1), %d examples (≥ 1), Epochs=%d (≥ 0)",
			name, cfg.MaxLen, cfg.BatchSize, len(cfg.Examples), cfg.Epochs)
	}
	if cfg.DropRemainder && len(cfg.Examples) < cfg.BatchSize {
		return nil, errors.Errorf("NewClassification(%q): %d examples make no full batch of %d", name, len(cfg.Examples), cfg.BatchSize)
	}
	d := &Classification{name: name, cfg: cfg}
	d.seed = cfg.Seed
	return d, nil
}

// Name implements train.Dataset.
func (d *Classification) Name() string { return d.name }

// Iter implements train.Dataset.
func (d *Classification) Iter() iter.Seq2[train.Batch, error] {
	return func(yield func(train.Batch, error) bool) {
		r, _ := d.nextRand()
		c := &d.cfg
		T := c.MaxLen
		order := make([]int, len(c.Examples))
		for i := range order {
			order[i] = i
		}
		for epoch := 0; c.Epochs == 0 || epoch < c.Epochs; epoch++ {
			if c.Shuffle {
				r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			}
			for start := 0; start < len(order); start += c.BatchSize {
				B := min(c.BatchSize, len(order)-start)
				if B < c.BatchSize && c.DropRemainder {
					break
				}
				ids, seg, mask, labels := make([]int32, B*T), make([]int32, B*T), make([]int32, B*T), make([]int32, B)
				for b := range B {
					ex := c.Examples[order[start+b]]
					packPair(ex.A, ex.B, len(ex.B) > 0, c.CLS, c.SEP, c.PAD, ids[b*T:(b+1)*T], seg[b*T:(b+1)*T], mask[b*T:(b+1)*T])
					labels[b] = int32(ex.Label)
				}
				batch := train.Batch{
					Inputs: []*tensorT{int32Tensor(ids, B, T), int32Tensor(seg, B, T), int32Tensor(mask, B, T)},
					Labels: []*tensorT{int32Tensor(labels, B)},
				}
				if !yield(batch, nil) {
					return
				}
			}
		}
	}
}
