package gpt

import (
	"math"
	"slices"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/gomlx/compute"
)

// staleTestBackends are the project's backend and, when the pure-Go backend is available, a raw
// one straight from compute (the backend that prefers weights as constants), which the model
// constructors must make safe themselves.
func staleTestBackends(t *testing.T) map[string]compute.Backend {
	t.Helper()
	out := map[string]compute.Backend{"backend.New": backend.MustNew()}
	if raw, err := compute.NewWithConfig(backend.SafeGoConfig); err == nil {
		out["raw go"] = raw
	}
	return out
}

// TestCachedExecutorsSeeTrainedWeights compiles every cached executor of a model (Logits, Loss,
// KV-cache and window generation, and — through EvalEvery — the trainer's evaluation), trains,
// and checks that each of them answers like a model built afterwards from the trained weights.
// With weights embedded as constants at first compile (the Go backend's preference) they all
// kept answering with the untrained weights.
func TestCachedExecutorsSeeTrainedWeights(t *testing.T) {
	for name, be := range staleTestBackends(t) {
		t.Run(name, func(t *testing.T) {
			cfg := tinyConfig()
			m, err := New(be, cfg)
			if err != nil {
				t.Fatal(err)
			}
			toks, val := tinyTokens(3000), tinyTokens(600)
			in, tg := [][]int32{toks[:16], toks[40:56]}, [][]int32{toks[1:17], toks[41:57]}
			prompt := toks[:5]
			greedy := GenerateOptions{MaxNewTokens: 8}
			window := GenerateOptions{MaxNewTokens: 8, NoCache: true}
			// Logits first: it initialises the variables, so the later graphs find values to embed.
			if _, err := m.Logits(in); err != nil {
				t.Fatal(err)
			}
			before, err := m.Loss(in, tg)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range []GenerateOptions{greedy, window} {
				if _, err := m.Generate(prompt, o); err != nil {
					t.Fatal(err)
				}
			}
			rc := tinyRecipe(60)
			rc.EvalEvery = 20 // the evaluation graph is compiled at step 20 and reused at the end
			res, err := m.Train(rc, toks, val, nil)
			if err != nil {
				t.Fatal(err)
			}

			clone, err := m.Store.Clone()
			if err != nil {
				t.Fatal(err)
			}
			fresh, err := newWithStore(be, cfg, clone)
			if err != nil {
				t.Fatal(err)
			}
			after, _ := m.Loss(in, tg)
			want, err := fresh.Loss(in, tg)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(after-want) > 1e-5 || math.Abs(after-before) < 0.05 {
				t.Errorf("Loss after training: cached executor %.5f, fresh executor %.5f (before training %.5f)", after, want, before)
			}
			ftr, err := fresh.Trainer(rc)
			if err != nil {
				t.Fatal(err)
			}
			wantVal, err := EstimateLoss(ftr, val, cfg.NPositions, rc.Batch, rc.EvalIters, rc.Seed+2)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(res.ValLoss-wantVal) > 1e-5 {
				t.Errorf("trainer's final evaluation %.5f, fresh evaluation %.5f", res.ValLoss, wantVal)
			}
			for _, o := range []GenerateOptions{greedy, window} {
				got, err1 := m.Generate(prompt, o)
				exp, err2 := fresh.Generate(prompt, o)
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				if !slices.Equal(got, exp) {
					t.Errorf("Generate (NoCache=%v) after training: cached %v, fresh %v", o.NoCache, got, exp)
				}
			}
		})
	}
}
