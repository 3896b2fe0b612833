package training

import (
	"fmt"
	"iter"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/distributed"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/dtensor"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
)

// DataAxis is the name of the device-mesh axis that data parallelism shards the batch over.
const DataAxis = "data"

// DataParallel is a train.DistributedDataset: it wraps a train.Dataset so that GoMLX's
// train.Loop/Trainer run every step on Devices devices through GoMLX's distributed execution
// (XLA AutoSharding, i.e. Shardy/SPMD partitioning): each batch tensor is split along its first
// axis over a one-axis DeviceMesh (DataAxis), the model's variables (weights, AdamW moments,
// global step) are replicated on every device, and the graph is written as for one device — XLA
// inserts the all-reduce of the gradients (and of the mean loss) itself. With the same global
// batch, the losses and the weights are those of one device, up to the order of floating-point
// sums (the tests bound the difference).
//
// Use NewDataParallel; Loop.Data takes it where it takes any dataset (GoMLX's loop sees that it
// is a train.DistributedDataset). Evaluation datasets stay plain: a single-device executor reads
// the replicated weights (GoMLX merges a replicated variable by taking one copy), and a
// checkpoint saves them the same way.
type DataParallel struct {
	Source  train.Dataset
	Devices int
	mesh    *distributed.DeviceMesh
	spec    *distributed.ShardingSpec
	assign  []compute.DeviceNum
}

// NewDataParallel returns source wrapped for training the model in store on the first `devices`
// devices of b, or source itself when devices is 0 or 1. It is an error, naming the numbers, when
// devices is negative or larger than b.NumDevices() (see package backend: the XLA CPU plugin makes
// 4 host devices by default and more on request; the pure-Go backend has one).
//
// It marks every variable already in store (weights loaded from a checkpoint, the random-number
// state a seed set, a previous run's state on another device count) as replicated over the
// devices; variables created later get the same from GoMLX. Without this, GoMLX v0.28.16 fails
// with a nil-pointer panic on the random-number state set by Store.SetRNGStateFromSeed (that
// variable is created without its store, and AutoSharding looks the default spec up there).
func NewDataParallel(b compute.Backend, store *model.Store, source train.Dataset, devices int) (train.Dataset, error) {
	if err := CheckDevices(b, devices); err != nil {
		return nil, err
	}
	if devices <= 1 {
		return source, nil
	}
	mesh, err := meshFor(devices)
	if err != nil {
		return nil, err
	}
	spec, err := distributed.BuildSpec(mesh).S(DataAxis).Done()
	if err != nil {
		return nil, err
	}
	if err := replicate(store, mesh); err != nil {
		return nil, err
	}
	assign := make([]compute.DeviceNum, devices)
	for i := range assign {
		assign[i] = compute.DeviceNum(i)
	}
	return &DataParallel{Source: source, Devices: devices, mesh: mesh, spec: spec, assign: assign}, nil
}

// meshes holds one DeviceMesh per device count: variables remember the mesh of their sharding
// spec, so every run on n devices must use the same one.
var meshes sync.Map // int → *distributed.DeviceMesh

func meshFor(n int) (*distributed.DeviceMesh, error) {
	if m, ok := meshes.Load(n); ok {
		return m.(*distributed.DeviceMesh), nil
	}
	m, err := distributed.NewDeviceMesh([]int{n}, []string{DataAxis})
	if err != nil {
		return nil, err
	}
	actual, _ := meshes.LoadOrStore(n, m)
	return actual.(*distributed.DeviceMesh), nil
}

// replicate marks every variable of store as replicated over mesh. A variable whose copies live on
// another mesh is first brought back to the host (one copy) and then re-replicated on first use.
func replicate(store *model.Store, mesh *distributed.DeviceMesh) error {
	spec := distributed.NewReplicatedShardingSpec(mesh)
	for v := range store.IterVariables() {
		if old := v.ShardingSpec(); old != nil && old.Mesh == mesh {
			continue
		}
		if v.HasValue() {
			value, err := v.Value() // merges copies held on devices
			if err != nil {
				return err
			}
			local, err := value.LocalClone()
			if err != nil {
				return err
			}
			if err := v.SetValue(local); err != nil { // frees the old copies
				return err
			}
		}
		if err := v.SetShardingSpec(spec); err != nil {
			return err
		}
	}
	return nil
}

// CheckDevices reports whether b can run data parallelism on n devices (n = 0 or 1: one device,
// always possible).
func CheckDevices(b compute.Backend, n int) error {
	if n < 0 {
		return fmt.Errorf("data parallelism: %d devices: the number of devices must be ≥ 1", n)
	}
	if n <= 1 {
		return nil
	}
	have := b.NumDevices()
	if n > have {
		hint := "ask the backend for more devices (backend.NewDevices, or BERT2GPT_XLA_CPU_DEVICES for XLA's CPU plugin)"
		if b.String() == "go" {
			hint = "the pure-Go backend has a single device and no distributed execution; use XLA (GOMLX_BACKEND=xla:cpu)"
		}
		return fmt.Errorf("data parallelism: %d devices asked, but backend %q has %d: %s", n, b.String(), have, hint)
	}
	return nil
}

// CheckBatch reports whether a batch of `batch` rows can be split evenly over n devices.
func CheckBatch(batch, n int) error {
	if n > 1 && batch%n != 0 {
		return fmt.Errorf("data parallelism: batch %d is not divisible by %d devices (each device takes batch/devices rows)", batch, n)
	}
	return nil
}

// Mesh is the one-axis device mesh (DataAxis) the batches are sharded over.
func (d *DataParallel) Mesh() *distributed.DeviceMesh { return d.mesh }

// Name implements train.Dataset.
func (d *DataParallel) Name() string { return d.Source.Name() }

// Iter implements train.Dataset: the source's batches, unsharded (GoMLX's loop uses
// DistributedIter instead).
func (d *DataParallel) Iter() iter.Seq2[train.Batch, error] { return d.Source.Iter() }

// Strategy implements train.DistributedDataset: AutoSharding (XLA Shardy).
func (d *DataParallel) Strategy() distributed.Strategy { return distributed.AutoSharding }

// DeviceAssignment implements train.DistributedDataset: devices 0 … Devices−1.
func (d *DataParallel) DeviceAssignment() []compute.DeviceNum { return d.assign }

// DistributedIter implements train.DistributedDataset: each source batch with every input and
// label split along axis 0 into Devices equal shards.
func (d *DataParallel) DistributedIter() iter.Seq2[train.DistributedBatch, error] {
	return func(yield func(train.DistributedBatch, error) bool) {
		for b, err := range d.Source.Iter() {
			if err != nil {
				yield(train.DistributedBatch{}, err)
				return
			}
			db, err := d.shard(b)
			if !yield(db, err) || err != nil {
				return
			}
		}
	}
}

// shard splits one batch; the source batch's tensors are freed (the trainer owns the shards).
func (d *DataParallel) shard(b train.Batch) (train.DistributedBatch, error) {
	out := train.DistributedBatch{Spec: b.Spec}
	split := func(ts []*tensors.Tensor, what string) ([]*dtensor.Tensor, error) {
		var res []*dtensor.Tensor
		for i, t := range ts {
			if t.Rank() == 0 {
				return nil, fmt.Errorf("data parallelism: %s #%d is a scalar; every batch tensor needs a batch axis to shard", what, i)
			}
			if err := CheckBatch(t.Shape().Dimensions[0], d.Devices); err != nil {
				return nil, fmt.Errorf("%w (%s #%d, shape %s)", err, what, i, t.Shape())
			}
			dt, err := dtensor.ShardTensor(d.spec, t)
			if err != nil {
				return nil, err
			}
			res = append(res, dt)
			_ = t.FinalizeAll()
		}
		return res, nil
	}
	var err error
	if out.Inputs, err = split(b.Inputs, "input"); err != nil {
		return out, err
	}
	if out.Labels, err = split(b.Labels, "label"); err != nil {
		_ = out.Finalize()
		return train.DistributedBatch{}, err
	}
	return out, nil
}

var _ train.DistributedDataset = (*DataParallel)(nil)
