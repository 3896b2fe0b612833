package gpt

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/bert2gpt/bert2gpt/internal/memory"
	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/gomlx/core/tensors"
)

// wantErr fails unless err mentions every part.
func wantErr(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want one mentioning %q", what, parts)
		return
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q does not mention %q", what, err, p)
		}
	}
}

// TestConfigUpperBounds: a few bytes of config.json cannot describe a model that exhausts memory
// before its weights are read (n_layer 1e8 ran out of memory listing the tensors).
func TestConfigUpperBounds(t *testing.T) {
	for field, v := range map[string]int{"n_layer": 100_000_000, "vocab_size": 1 << 30, "n_positions": 1 << 40, "n_embd": 1 << 20, "n_head": 1 << 20} {
		c := map[string]any{"vocab_size": 100, "n_positions": 16, "n_embd": 8, "n_layer": 2, "n_head": 2}
		c[field] = v
		if field == "n_head" {
			c["n_embd"] = 2048
		}
		data, _ := json.Marshal(c)
		_, err := ParseConfig(data)
		wantErr(t, field, err, field, "above the limit", "gpt.Max")
	}
	_, err := ParseConfig([]byte(`{"vocab_size": 100, "n_positions": 16, "n_embd": 8, "n_layer": 2, "n_head": 2, "n_inner": 1000000}`))
	wantErr(t, "n_inner", err, "n_inner = 1000000", "gpt.MaxInner")
	for _, name := range PresetNames() { // every preset, GPT-3 175B included, is within the bounds
		c, _ := Preset(name)
		if err := c.Validate(); err != nil {
			t.Errorf("preset %s: %v", name, err)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"vocab_size": 100, "n_positions": 16, "n_embd": 8, "n_layer": 100000000, "n_head": 2}`), 0o644)
	be, _ := backend.New()
	_, err = LoadHF(be, dir)
	wantErr(t, "LoadHF", err, "config.json", "n_layer = 100000000")
}

// TestMemoryEstimates: a model, its training state or a KV cache that cannot fit is refused before
// it is built, with both amounts in the error.
func TestMemoryEstimates(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(memory.EnvLimit, "64G")
	big, _ := Preset("gpt3-175b")
	_, err = New(be, big)
	wantErr(t, "gpt3-175b", err, "174604259328 parameters", "698.4 GB", "68.7 GB", memory.EnvLimit)

	t.Setenv(memory.EnvLimit, "40M")
	c := tinyConfig()
	c.NPositions, c.NLayer, c.NEmbd = 1024, 8, 256
	m, err := New(be, c) // 6.6M parameters, 26 MB: fits
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Trainer(TrainConfig{Batch: 16, Iters: 10, LR: 1e-3, Beta1: 0.9, Beta2: 0.99, EvalIters: 1})
	wantErr(t, "training", err, "training", "batch 16 × block 1024", "needs")
	_, err = m.NewStepper(64, 1024) // 2·8·64·1024·256·4 bytes = 1.07 GB
	wantErr(t, "cache", err, "KV cache of batch 64 × 1024 positions", "1.1 GB")
	if s, err := m.NewStepper(1, 64); err != nil {
		t.Errorf("a small cache: %v", err)
	} else {
		s.Close()
	}
}

// tinyCheckpoint trains nothing: it saves a fresh tiny model (with a global step) to a directory.
func tinyCheckpoint(t *testing.T) (string, map[string]*tensors.Tensor, map[string]string) {
	t.Helper()
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(be, tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := m.Trainer(NanoGPTCPU())
	if err != nil {
		t.Fatal(err)
	}
	tokens := tinyTokens(200)
	if _, err := EstimateLoss(tr, tokens, 16, 2, 1, 1); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := training.SaveCheckpoint(dir, m.Store, m.CheckpointMeta(nil)); err != nil {
		t.Fatal(err)
	}
	ts, meta, err := training.ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, ts, meta
}

// TestCheckpointMustBeComplete: a checkpoint missing model tensors (it used to load, the rest
// random), with tensors of another configuration, or with NaN weights is an error naming the tensor.
func TestCheckpointMustBeComplete(t *testing.T) {
	be, _ := backend.New()
	dir, ts, meta := tinyCheckpoint(t)
	if _, _, err := LoadCheckpoint(be, dir); err != nil {
		t.Fatalf("the complete checkpoint: %v", err)
	}
	save := func(edit func(ts map[string]*tensors.Tensor, meta map[string]string)) string {
		t.Helper()
		ts2, meta2 := map[string]*tensors.Tensor{}, map[string]string{}
		for k, v := range ts {
			ts2[k] = v
		}
		for k, v := range meta {
			meta2[k] = v
		}
		edit(ts2, meta2)
		d := t.TempDir()
		if err := training.WriteSafetensors(filepath.Join(d, training.CheckpointFile), ts2, nil, meta2); err != nil {
			t.Fatal(err)
		}
		return d
	}
	onlyWTE := save(func(ts map[string]*tensors.Tensor, _ map[string]string) {
		for k := range ts {
			if k != "/wte/weight" {
				delete(ts, k)
			}
		}
	})
	_, _, err := LoadCheckpoint(be, onlyWTE)
	wantErr(t, "only /wte/weight", err, "missing tensor", "/h/0/attn/c_attn/bias", "and 26 more of the 28")
	noLayer := save(func(ts map[string]*tensors.Tensor, _ map[string]string) { delete(ts, "/h/1/mlp/c_fc/weight") })
	_, _, err = LoadCheckpoint(be, noLayer)
	wantErr(t, "one missing", err, `missing tensor "/h/1/mlp/c_fc/weight"`)
	extra := save(func(ts map[string]*tensors.Tensor, _ map[string]string) {
		ts["/h/2/ln_1/gain"] = tensors.FromValue(make([]float32, 32))
	})
	_, _, err = LoadCheckpoint(be, extra)
	wantErr(t, "a third layer", err, `unexpected tensor "/h/2/ln_1/gain"`)
	badMoment := save(func(ts map[string]*tensors.Tensor, _ map[string]string) {
		ts["/training/adamw/wte/weight/m"] = tensors.FromValue(make([]float32, 3))
	})
	_, _, err = LoadCheckpoint(be, badMoment)
	wantErr(t, "optimizer state", err, "/training/adamw/wte/weight/m")
	nan := save(func(ts map[string]*tensors.Tensor, _ map[string]string) {
		v := tensors.MustCopyFlatData[float32](ts["/ln_f/gain"])
		v[5] = float32(math.NaN())
		ts["/ln_f/gain"] = tensors.FromFlatDataAndDimensions(v, len(v))
	})
	_, _, err = LoadCheckpoint(be, nan)
	wantErr(t, "NaN", err, `"/ln_f/gain"`, "non-finite", "index 5")
	huge := save(func(_ map[string]*tensors.Tensor, meta map[string]string) {
		meta[MetaConfig] = strings.Replace(meta[MetaConfig], `"n_layer":2`, `"n_layer":1000000`, 1)
	})
	_, _, err = LoadCheckpoint(be, huge)
	wantErr(t, "n_layer 1e6", err, "gpt_config", "n_layer = 1000000", "above the limit")
}

// TestHugeGenerateAndStopAt: options past their bounds are errors, not overflows deep in shape code.
func TestHugeGenerateAndStopAt(t *testing.T) {
	m := loadTiny(t)
	_, err := m.Generate([]int32{1, 2}, GenerateOptions{MaxNewTokens: math.MaxInt})
	wantErr(t, "max new tokens", err, "max new tokens 9223372036854775807", "gpt.MaxNewTokensLimit")
	out, err := m.Generate([]int32{1, 2}, GenerateOptions{MaxNewTokens: 3 * m.Config.NPositions})
	if err != nil || len(out) != 3*m.Config.NPositions {
		t.Errorf("generating past the context: %d tokens, %v", len(out), err)
	}
	r := NanoGPTCPU()
	r.Iters, r.StopAt = 2, 5000
	wantErr(t, "stop-at", r.Validate(), "stop-at 5000", "iters 2")
}
