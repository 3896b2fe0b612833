package bert

import (
	"math"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
)

// TestCachedExecutorsSeeNewWeights: the validation evaluator compiled at step 3 of a pre-training
// run reports, at the end, what a freshly built evaluator reports on the trained weights; and
// Forward, compiled once, follows weights changed afterwards (as a checkpoint load would change
// them). Both kept the first weights when the Go backend embedded them as constants.
func TestCachedExecutorsSeeNewWeights(t *testing.T) {
	backends := map[string]compute.Backend{"backend.New": backend.MustNew()}
	if raw, err := compute.NewWithConfig(backend.SafeGoConfig); err == nil {
		backends["raw go"] = raw // the constructors must protect a backend they are handed as well
	}
	for name, be := range backends {
		t.Run(name, func(t *testing.T) {
			o := toyOptions("")
			o.Steps, o.EvalEvery, o.LR = 9, 3, 3e-3
			m, got, err := Pretrain(be, o)
			if err != nil {
				t.Fatal(err)
			}
			fresh, err := NewEvaluator(m.Backend, m.Store, o, o.Valid, o.EvalBatches, o.Seed^0x76616c6964)
			if err != nil {
				t.Fatal(err)
			}
			want, err := fresh.Run()
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.MLMLoss-want.MLMLoss) > 1e-5 || math.Abs(got.NSPLoss-want.NSPLoss) > 1e-5 {
				t.Errorf("final evaluation (cached evaluator) %+v, fresh evaluator %+v", got, want)
			}

			b := Batch{InputIDs: [][]int32{{2, 7, 8, 9, 3}}, TokenTypeIDs: [][]int32{{0, 0, 0, 0, 0}},
				AttentionMask: [][]int32{{1, 1, 1, 1, 1}}}
			first, err := m.Forward(b)
			if err != nil {
				t.Fatal(err)
			}
			before := tensors.MustCopyFlatData[float32](first.NSPLogits)
			for v := range m.Store.IterVariables() { // every weight ×1.5
				if !v.Trainable {
					continue
				}
				x := tensors.MustCopyFlatData[float32](v.MustValue())
				for i := range x {
					x[i] *= 1.5
				}
				v.MustSetValue(tensors.FromFlatDataAndDimensions(x, v.Shape().Dimensions...))
			}
			again, err := m.Forward(b)
			if err != nil {
				t.Fatal(err)
			}
			m.forward = nil // a new executor, compiled now
			rebuilt, err := m.Forward(b)
			if err != nil {
				t.Fatal(err)
			}
			after := tensors.MustCopyFlatData[float32](again.NSPLogits)
			exp := tensors.MustCopyFlatData[float32](rebuilt.NSPLogits)
			for i := range exp {
				if math.Abs(float64(after[i]-exp[i])) > 1e-5 || after[i] == before[i] {
					t.Fatalf("NSP logits after changing the weights: cached executor %v, new executor %v (before %v)", after, exp, before)
				}
			}
		})
	}
}
