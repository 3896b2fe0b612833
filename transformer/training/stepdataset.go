package training

import (
	"iter"

	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// StepDataset is a train.Dataset whose batch k depends only on k (draw it from a generator seeded
// with (seed, k)): a resumed run sees exactly the batches of an uninterrupted one, and an
// evaluation set is the same every time it is read.
//
//	training:   StepDataset{Store: store, Batch: f}  batch k = the store's global step (f(0), f(1), … on resume f(step))
//	evaluation: StepDataset{Count: 10, Batch: f}     batches f(0) … f(9), then the iteration ends
type StepDataset struct {
	Label string       // the dataset's Name ("step-dataset" if empty)
	Store *model.Store // where the global step is read when Count is 0; nil = count 0, 1, 2, …
	// Count > 0 makes a finite dataset of batches 0…Count−1 (loss estimates); 0 is an endless stream.
	Count int
	Batch func(k int64) train.Batch
}

// Name implements train.Dataset.
func (d *StepDataset) Name() string {
	if d.Label == "" {
		return "step-dataset"
	}
	return d.Label
}

// Iter implements train.Dataset: Batch(k) for k = the global step (training) or 0…Count−1.
func (d *StepDataset) Iter() iter.Seq2[train.Batch, error] {
	return func(yield func(train.Batch, error) bool) {
		for j := int64(0); d.Count == 0 || j < int64(d.Count); j++ {
			k := j
			if d.Count == 0 && d.Store != nil {
				k = optimizer.GetGlobalStep(d.Store)
			}
			if !yield(d.Batch(k), nil) {
				return
			}
		}
	}
}
