package training

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// adamwFixture is testdata/adamw.json, written by scripts/reference/training_fixtures.py.
type adamwFixture struct {
	Meta struct {
		PeakLR      float64 `json:"peak_lr"`
		MinLR       float64 `json:"min_lr"`
		Warmup      int     `json:"warmup"`
		DecaySteps  int     `json:"decay_steps"`
		Beta1       float64 `json:"beta1"`
		Beta2       float64 `json:"beta2"`
		Eps         float64 `json:"eps"`
		WeightDecay float64 `json:"weight_decay"`
		Clip        float64 `json:"clip"`
	}
	C, D  []float32
	Init  map[string][]float32
	Steps []struct {
		LR       float64 `json:"lr"`
		GradNorm float64 `json:"grad_norm"`
		Weight   []float32
		Bias     []float32
	}
}

// TestAdamWMatchesPyTorch runs 30 updates of L = Σ C⊙w² + Σ D⊙b⁴ with AdamW, nanoGPT's schedule and
// clipping, and compares every step with torch.optim.AdamW + clip_grad_norm_ (the first 9 updates
// are clipped, the rest are not; w is decayed, b is not).
func TestAdamWMatchesPyTorch(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "adamw.json"))
	if err != nil {
		t.Fatalf("reading fixture (regenerate with .venv-ref/bin/python scripts/reference/training_fixtures.py): %v", err)
	}
	var fx adamwFixture
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	h := fx.Meta
	opt := &AdamW{Schedule: Schedule{Kind: Cosine, PeakLR: h.PeakLR, MinLR: h.MinLR, WarmupSteps: h.Warmup, DecaySteps: h.DecaySteps},
		Beta1: h.Beta1, Beta2: h.Beta2, Epsilon: h.Eps, WeightDecay: h.WeightDecay, ClipNorm: h.Clip}
	store := model.NewStore()
	step, err := model.NewExec(be, store, func(scope *model.Scope, g *Graph) *Node {
		lin := scope.In("lin")
		w := lin.VariableWithValue("weight", [][]float32{fx.Init["weight"][0:4], fx.Init["weight"][4:8], fx.Init["weight"][8:12]}).NodeValue(g)
		b := lin.VariableWithValue("bias", fx.Init["bias"]).NodeValue(g)
		c := Reshape(Const(g, fx.C), 3, 4)
		d := Const(g, fx.D)
		loss := Add(ReduceAllSum(Mul(c, Square(w))), ReduceAllSum(Mul(d, Square(Square(b)))))
		opt.UpdateGraph(scope, g, loss)
		return loss
	})
	if err != nil {
		t.Fatal(err)
	}
	const tol = 2e-6 // float32 over 30 updates of O(1) values
	worst := 0.0
	for it, want := range fx.Steps {
		if _, err := step.Exec(); err != nil {
			t.Fatal(err)
		}
		if lr := opt.Schedule.At(int64(it)); math.Abs(lr-want.LR) > 1e-12 {
			t.Fatalf("update %d: schedule lr %g, nanoGPT's get_lr %g", it, lr, want.LR)
		}
		norm := float64(GradNormVar(store).MustValue().Value().(float32))
		if math.Abs(norm-want.GradNorm) > 1e-5*want.GradNorm {
			t.Errorf("update %d: gradient norm %g, PyTorch %g", it, norm, want.GradNorm)
		}
		for name, ref := range map[string][]float32{"weight": want.Weight, "bias": want.Bias} {
			got := tensors.MustCopyFlatData[float32](store.GetVariable("/lin/" + name).MustValue())
			for i := range got {
				diff := math.Abs(float64(got[i] - ref[i]))
				worst = max(worst, diff)
				if diff > tol {
					t.Fatalf("update %d: %s[%d] = %g, PyTorch %g (|Δ| %.2g > %g)", it, name, i, got[i], ref[i], diff, tol)
				}
			}
		}
	}
	t.Logf("30 AdamW updates: largest |ours − PyTorch| = %.2g", worst)
}
