package gpt

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func ropeConfig() Config {
	c := tinyConfig()
	c.Positions = "rope"
	return c
}

// TestRoPEModel: a GPT with rotary positions has no wpe (ParamCount = NumParams = the learned
// model's minus n_positions·d), learns the counting stream, and its KV-cached decoding (Stepper,
// the key cached already rotated) gives the full forward pass's logits at every position.
func TestRoPEModel(t *testing.T) {
	m := newTestModel(t, ropeConfig())
	recipe := tinyRecipe(40)
	recipe.CheckpointDir = t.TempDir()
	res, err := m.Train(recipe, tinyTokens(2000), tinyTokens(500), m.CheckpointMeta(nil))
	if err != nil {
		t.Fatal(err)
	}
	loaded, _, err := LoadCheckpoint(m.Backend, recipe.CheckpointDir) // the config (positions "rope") comes back with it
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Config.Positions != "rope" {
		t.Fatalf("loaded config has positions %q", loaded.Config.Positions)
	}
	a, _ := m.Loss([][]int32{{1, 2, 3, 4}}, [][]int32{{2, 3, 4, 5}})
	b, _ := loaded.Loss([][]int32{{1, 2, 3, 4}}, [][]int32{{2, 3, 4, 5}})
	if a != b {
		t.Errorf("loss %g before saving, %g after loading the checkpoint", a, b)
	}
	t.Logf("RoPE GPT after 40 steps: val %.3f (log V = %.3f)", res.ValLoss, math.Log(11))
	if !(res.ValLoss < 0.6*math.Log(11)) {
		t.Errorf("val loss %.3f did not fall below 0.6·log(11)", res.ValLoss)
	}
	if m.Store.GetVariable("/wpe/weight") != nil {
		t.Error("a RoPE model has a position table")
	}
	c := m.Config
	if got, learned := ParamCount(c), ParamCount(tinyConfig()); m.NumParams() != got || learned-got != int64(c.NPositions*c.NEmbd) {
		t.Errorf("ParamCount %d, NumParams %d, learned model %d", got, m.NumParams(), learned)
	}

	r := rand.New(rand.NewPCG(1, 9))
	seqs := make([][]int32, 2)
	for b := range seqs {
		seqs[b] = make([]int32, c.NPositions)
		for i := range seqs[b] {
			seqs[b][i] = int32(r.IntN(c.VocabSize))
		}
	}
	full, err := m.Logits(seqs)
	if err != nil {
		t.Fatal(err)
	}
	want := full.Value().([][][]float32)
	s, err := m.NewStepper(2, c.NPositions)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	worst := 0.0
	for i := range c.NPositions {
		got, err := s.Next([]int32{seqs[0][i], seqs[1][i]})
		if err != nil {
			t.Fatal(err)
		}
		for b := range 2 {
			worst = max(worst, maxAbsDiff(got[b], want[b][i]))
		}
	}
	if worst > 1e-4 {
		t.Errorf("cached decoding differs from the full forward pass by %g", worst)
	}
	cached, err := m.Generate([]int32{1, 2, 3}, GenerateOptions{MaxNewTokens: 10})
	if err != nil {
		t.Fatal(err)
	}
	uncached, err := m.Generate([]int32{1, 2, 3}, GenerateOptions{MaxNewTokens: 10, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range cached {
		if cached[i] != uncached[i] {
			t.Errorf("greedy generation: cached %v, uncached %v", cached, uncached)
			break
		}
	}
	if err := m.ExportHF(t.TempDir()); err == nil || !strings.Contains(err.Error(), "learned positions only") {
		t.Errorf("ExportHF of a RoPE model: %v", err)
	}
}

// TestRoPEConfigErrors: unknown encodings, odd head widths and bad bases name the field.
func TestRoPEConfigErrors(t *testing.T) {
	for _, c := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Positions = "alibi" }, `positions "alibi"`},
		{func(c *Config) { c.Positions, c.NEmbd, c.NHead = "rope", 30, 2 }, "odd"},
		{func(c *Config) { c.Positions, c.RopeTheta = "rope", -1 }, "rope_theta"},
		{func(c *Config) { c.Positions, c.RopeTheta = "rope", math.NaN() }, "rope_theta"},
	} {
		cfg := tinyConfig()
		c.edit(&cfg)
		err := cfg.Validate()
		if c.want == "odd" {
			// n_embd 30 / n_head 2 = 15: RoPE rotates pairs of features.
			if err == nil || !strings.Contains(err.Error(), "even head width") {
				t.Errorf("head width 15 with RoPE: %v", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want it to mention %q", cfg, err, c.want)
		}
	}
	if err := ropeConfig().Validate(); err != nil {
		t.Errorf("a valid RoPE config: %v", err)
	}
}
