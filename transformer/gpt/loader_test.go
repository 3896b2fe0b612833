package gpt

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
)

// damaged writes a copy of testdata/hf-tiny with the tensors changed by edit.
func damaged(t *testing.T, edit func(ts map[string]*tensors.Tensor)) string {
	t.Helper()
	dir := t.TempDir()
	cfg, err := os.ReadFile("testdata/hf-tiny/config.json")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o644)
	ts, _, err := training.ReadSafetensors("testdata/hf-tiny/model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	edit(ts)
	if err := training.WriteSafetensors(filepath.Join(dir, "model.safetensors"), ts, nil, nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadHFErrors(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	const victim = "transformer.h.1.mlp.c_fc.weight"
	cases := map[string]struct {
		dir  string
		want []string
	}{
		"missing": {damaged(t, func(ts map[string]*tensors.Tensor) { delete(ts, victim) }), []string{"missing", "h.1.mlp.c_fc.weight"}},
		"shape": {damaged(t, func(ts map[string]*tensors.Tensor) {
			ts[victim] = tensors.FromShape(shapes.Make(dtypes.Float32, 3, 5))
		}), []string{"h.1.mlp.c_fc.weight", "shape"}},
		"dtype": {damaged(t, func(ts map[string]*tensors.Tensor) {
			ts[victim] = tensors.FromShape(shapes.Make(dtypes.Int32, 32, 128))
		}), []string{"h.1.mlp.c_fc.weight", "dtype"}},
		"extra": {damaged(t, func(ts map[string]*tensors.Tensor) {
			ts["transformer.h.7.mystery"] = tensors.FromValue([]float32{1})
		}), []string{"unexpected", "h.7.mystery"}},
	}
	// A truncated file and an unknown dtype string, made from the real bytes.
	raw, _ := os.ReadFile("testdata/hf-tiny/model.safetensors")
	for name, data := range map[string][]byte{
		"truncated": raw[:len(raw)-100],
		"unknown":   bytes.Replace(raw, []byte(`"F32"`), []byte(`"Q32"`), 1),
	} {
		dir := damaged(t, func(map[string]*tensors.Tensor) {})
		os.WriteFile(filepath.Join(dir, "model.safetensors"), data, 0o644)
		want := []string{"truncated"}
		if name == "unknown" {
			want = []string{"unknown dtype", "Q32"}
		}
		cases[name] = struct {
			dir  string
			want []string
		}{dir, want}
	}
	for name, c := range cases {
		_, err := LoadHF(be, c.dir)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", name, err, w)
			}
		}
	}
	// A bad config.json is an error naming the field.
	dir := damaged(t, func(map[string]*tensors.Tensor) {})
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"vocab_size": 97, "n_positions": 32, "n_embd": 30, "n_layer": 2, "n_head": 4}`), 0o644)
	if _, err := LoadHF(be, dir); err == nil || !strings.Contains(err.Error(), "n_embd") {
		t.Errorf("bad config: %v", err)
	}
}

func TestConfigValidateAndParams(t *testing.T) {
	c, err := Preset("gpt2")
	if err != nil {
		t.Fatal(err)
	}
	if n := ParamCount(c); n != 124439808 {
		t.Fatalf("gpt2 parameters %d, want 124,439,808", n)
	}
	if _, err := Preset("gpt5"); err == nil {
		t.Fatal("unknown preset accepted")
	}
	// The count matches the variables of a real (small) model.
	m := loadTiny(t)
	if _, err := m.Logits([][]int32{{1, 2}}); err != nil {
		t.Fatal(err)
	}
	if got, want := m.NumParams(), ParamCount(m.Config); got != want {
		t.Fatalf("store holds %d parameters, ParamCount says %d", got, want)
	}
	for _, mod := range []func(*Config){
		func(c *Config) { c.NHead = 5 },
		func(c *Config) { c.VocabSize = 0 },
		func(c *Config) { c.ActivationFunction = "swish" },
		func(c *Config) { c.ResidPdrop = 1 },
		func(c *Config) { c.LayerNormEpsilon = 0 },
	} {
		bad := c
		mod(&bad)
		if bad.Validate() == nil {
			t.Errorf("no error for %+v", bad)
		}
	}
}
