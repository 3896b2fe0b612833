package training

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/train"
)

// regressionBatch is batch k of a linear regression task: it depends only on k.
func regressionBatch(k int64) train.Batch {
	r := rand.New(rand.NewPCG(42, uint64(k)))
	x := make([][]float32, 8)
	y := make([][]float32, 8)
	for i := range x {
		x[i] = []float32{float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())}
		y[i] = []float32{2*x[i][0] - x[i][1] + 0.5*x[i][2] + 1}
	}
	return train.Batch{Inputs: []*tensors.Tensor{tensors.FromValue(x)}, Labels: []*tensors.Tensor{tensors.FromValue(y)}}
}

// stepData yields the regression batch of the store's global step.
func stepData(store *model.Store) *StepDataset {
	return &StepDataset{Label: "step-data", Store: store, Batch: regressionBatch}
}

func newRegression(t *testing.T) (*model.Store, *train.Trainer) {
	t.Helper()
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(3); err != nil {
		t.Fatal(err)
	}
	opt := NewAdamW(Schedule{Kind: Cosine, PeakLR: 0.05, MinLR: 0.005, WarmupSteps: 3, DecaySteps: 30})
	tr := train.NewTrainer(be, store, func(scope *model.Scope, x *Node) *Node {
		dense := scope.In("dense")
		w := dense.WithInitializer(initializer.RandomNormalFn(dense, 0.5)).VariableWithShape("weight", shapes.Make(dtypes.Float32, 3, 1)).NodeValue(x.Graph())
		b := dense.WithInitializer(initializer.Zero).VariableWithShape("bias", shapes.Make(dtypes.Float32, 1)).NodeValue(x.Graph())
		return Add(MatMul(x, w), InsertAxes(b, 0))
	}, func(labels, predictions []*Node) *Node {
		return ReduceAllMean(Square(Sub(predictions[0], labels[0])))
	}, opt, nil, nil)
	return store, tr
}

// TestLoopResume: 30 steps in one run equal 12 steps, a checkpoint, a fresh store loaded from it,
// and 18 more steps — same final loss and weights.
func TestLoopResume(t *testing.T) {
	storeA, trA := newRegression(t)
	resA, err := (&Loop{Trainer: trA, Data: stepData(storeA), TargetStep: 30}).Run()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	storeB, trB := newRegression(t)
	if _, err := (&Loop{Trainer: trB, Data: stepData(storeB), TargetStep: 12, CheckpointDir: dir}).Run(); err != nil {
		t.Fatal(err)
	}
	storeC, trC := newRegression(t)
	if _, err := LoadCheckpoint(dir, storeC); err != nil {
		t.Fatal(err)
	}
	resC, err := (&Loop{Trainer: trC, Data: stepData(storeC), TargetStep: 30}).Run()
	if err != nil {
		t.Fatal(err)
	}
	if resC.Steps != 18 || resC.Step != 30 || resA.Step != 30 {
		t.Fatalf("resumed run did %d steps to %d; straight ended at %d", resC.Steps, resC.Step, resA.Step)
	}
	if math.Abs(resA.TrainLoss-resC.TrainLoss) > 1e-6 {
		t.Fatalf("final loss straight %.8f, resumed %.8f", resA.TrainLoss, resC.TrainLoss)
	}
	a := tensors.MustCopyFlatData[float32](storeA.GetVariable("/dense/weight").MustValue())
	c := tensors.MustCopyFlatData[float32](storeC.GetVariable("/dense/weight").MustValue())
	for i := range a {
		if a[i] != c[i] {
			t.Fatalf("weights straight %v, resumed %v", a, c)
		}
	}
	// The last update (global step 30) used the schedule at it = 29.
	want := Schedule{Kind: Cosine, PeakLR: 0.05, MinLR: 0.005, WarmupSteps: 3, DecaySteps: 30}.At(29)
	if lr := LearningRateVar(storeC).MustValue().Value().(float32); math.Abs(float64(lr)-want) > 1e-7 {
		t.Fatalf("learning rate of the last update %g, want %g", lr, want)
	}
	t.Logf("final loss %.5f (straight and resumed)", resA.TrainLoss)
}

// TestStepDatasetCount: a finite StepDataset yields batches 0…Count−1, the same on every pass.
func TestStepDatasetCount(t *testing.T) {
	var seen []int64
	d := &StepDataset{Count: 3, Batch: func(k int64) train.Batch {
		seen = append(seen, k)
		return regressionBatch(k)
	}}
	for range 2 {
		for b, err := range d.Iter() {
			if err != nil || len(b.Inputs) != 1 {
				t.Fatalf("batch %v, %v", b, err)
			}
		}
	}
	if want := []int64{0, 1, 2, 0, 1, 2}; fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("batches %v, want %v", seen, want)
	}
	if d.Name() != "step-dataset" || stepData(nil).Name() != "step-data" {
		t.Fatalf("names %q, %q", d.Name(), stepData(nil).Name())
	}
}
