package gpt

import (
	"encoding/json"
	"testing"
)

// configSeeds are config.json texts for the fuzz targets: GPT-2's, the tiny test model's, and bombs.
var configSeeds = []string{
	`{"vocab_size": 50257, "n_positions": 1024, "n_embd": 768, "n_layer": 12, "n_head": 12, "n_inner": null,
	  "activation_function": "gelu_new", "layer_norm_epsilon": 1e-05, "resid_pdrop": 0.1, "embd_pdrop": 0.1,
	  "attn_pdrop": 0.1, "initializer_range": 0.02, "model_type": "gpt2", "architectures": ["GPT2LMHeadModel"]}`,
	`{"vocab_size": 1000, "n_positions": 64, "n_embd": 32, "n_layer": 2, "n_head": 4}`,
	`{"vocab_size": 1000, "n_positions": 64, "n_embd": 32, "n_layer": 100000000, "n_head": 4}`,
	`{"vocab_size": 2097152, "n_positions": 1048576, "n_embd": 65536, "n_layer": 1024, "n_head": 1024, "n_inner": 262144}`,
	`{"vocab_size": -1, "n_embd": 33, "n_head": 4, "layer_norm_epsilon": 0}`,
	`[]`, `null`, `{"n_layer": 1e300}`,
}

// checkConfig is what every configuration that validates must satisfy: sizes computed without
// overflow (or reported as -1, which memory.Check refuses), a tensor list of the right length.
func checkConfig(t *testing.T, c Config) {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatalf("accepted config does not validate: %v", err)
	}
	if ParamCount(c) <= 0 || c.WeightBytes() <= 0 {
		t.Fatalf("ParamCount %d, WeightBytes %d", ParamCount(c), c.WeightBytes())
	}
	if b := c.TrainingBytes(12); b < -1 || b == 0 {
		t.Fatalf("TrainingBytes %d", b)
	}
	if b := c.CacheBytes(1, c.NPositions); b <= 0 {
		t.Fatalf("CacheBytes %d", b)
	}
	if n := len(c.variableShapes()); n != 12*c.NLayer+4 {
		t.Fatalf("%d variables for %d layers", n, c.NLayer)
	}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ConfigFromMeta(map[string]string{MetaConfig: string(data)})
	if err != nil || back != c {
		t.Fatalf("round trip through the checkpoint metadata: %+v, %v", back, err)
	}
}

// FuzzParseConfig (gpt.LoadConfig): any config.json gives a valid configuration or an error,
// never a panic or a size that overflows.
func FuzzParseConfig(f *testing.F) {
	for _, s := range configSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			return
		}
		checkConfig(t, c)
	})
}

// FuzzConfigFromMeta: any gpt_config checkpoint metadata gives a valid configuration or an error.
func FuzzConfigFromMeta(f *testing.F) {
	for _, s := range configSeeds {
		f.Add(s)
	}
	f.Add(`{"vocab_size":65,"n_positions":64,"n_embd":128,"n_layer":4,"n_head":4,"activation_function":"gelu_new","layer_norm_epsilon":0.00001,"resid_pdrop":0,"embd_pdrop":0,"attn_pdrop":0,"initializer_range":0.02,"model_type":"gpt2"}`)
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := ConfigFromMeta(map[string]string{MetaConfig: raw})
		if err != nil {
			return
		}
		checkConfig(t, c)
	})
}
