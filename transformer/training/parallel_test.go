package training

import (
	"iter"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
)

// fixedBatches yields one batch: inputs rows×3 (row i holds i), labels a vector of rows.
type fixedBatches struct{ rows int }

func (f fixedBatches) Name() string { return "fixed" }

func (f fixedBatches) Iter() iter.Seq2[train.Batch, error] {
	return func(yield func(train.Batch, error) bool) {
		x := make([][]float32, f.rows)
		y := make([]int32, f.rows)
		for i := range x {
			x[i] = []float32{float32(i), float32(i), float32(i)}
			y[i] = int32(i)
		}
		yield(train.Batch{Inputs: []*tensors.Tensor{tensors.FromValue(x)}, Labels: []*tensors.Tensor{tensors.FromValue(y)}}, nil)
	}
}

// TestDataParallelShards: every input and label is split along its first axis, device d taking
// rows d·B/N … (d+1)·B/N−1; a batch that N does not divide and bad device counts are errors.
func TestDataParallelShards(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckDevices(be, -1); err == nil || !strings.Contains(err.Error(), "must be ≥ 1") {
		t.Errorf("-1 devices: %v", err)
	}
	if err := CheckBatch(12, 5); err == nil || !strings.Contains(err.Error(), "batch 12 is not divisible by 5 devices") {
		t.Errorf("batch 12 on 5: %v", err)
	}
	same, err := NewDataParallel(be, model.NewStore(), fixedBatches{4}, 1)
	if err != nil || same != (fixedBatches{4}) {
		t.Errorf("one device must return the dataset itself: %v, %v", same, err)
	}
	if _, err := NewDataParallel(be, model.NewStore(), fixedBatches{4}, be.NumDevices()+1); err == nil || !strings.Contains(err.Error(), "devices asked") {
		t.Errorf("%d devices: %v", be.NumDevices()+1, err)
	}
	if be.NumDevices() < 2 {
		t.Skipf("backend %q has one device", be.String())
	}
	ds, err := NewDataParallel(be, model.NewStore(), fixedBatches{4}, 2)
	if err != nil {
		t.Fatal(err)
	}
	dp := ds.(*DataParallel)
	for b, err := range dp.DistributedIter() {
		if err != nil {
			t.Fatal(err)
		}
		shards := b.Inputs[0].Shards()
		if len(shards) != 2 {
			t.Fatalf("%d shards", len(shards))
		}
		for d, s := range shards {
			got := s.Value().([][]float32)
			if len(got) != 2 || got[0][0] != float32(2*d) || got[1][0] != float32(2*d+1) {
				t.Errorf("device %d input shard %v", d, got)
			}
			if y := b.Labels[0].Shards()[d].Value().([]int32); len(y) != 2 || y[0] != int32(2*d) {
				t.Errorf("device %d label shard %v", d, y)
			}
		}
		_ = b.Finalize()
	}
	odd, err := NewDataParallel(be, model.NewStore(), fixedBatches{3}, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range odd.(*DataParallel).DistributedIter() {
		if err == nil || !strings.Contains(err.Error(), "batch 3 is not divisible by 2 devices (each device takes batch/devices rows) (input #0") {
			t.Errorf("3 rows on 2 devices: %v", err)
		}
	}
}
