package bert

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/gomlx/ml/model"
)

func TestParamCount(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Config
		want int
	}{
		// transformers' BertForPreTraining(BertConfig()) and the large configuration.
		{"base", BaseConfig(), 110_106_428},
		{"large", LargeConfig(), 336_226_108},
	} {
		if got := ParamCount(tc.c); got != tc.want {
			t.Errorf("ParamCount(%s) = %d, want %d", tc.name, got, tc.want)
		}
	}
	// The fixtures: the number of parameters HF reported, and the number of values in our store.
	for name, want := range map[string]int{"tiny": 12522, "legacy": 8856} {
		c, err := LoadConfig(filepath.Join("testdata", name, "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		if got := ParamCount(c); got != want {
			t.Errorf("ParamCount(%s) = %d, want %d", name, got, want)
		}
		store := model.NewStore()
		if _, err := LoadSafetensors(store, c, filepath.Join("testdata", name, "model.safetensors"), PreTrainingHeads, 0); err != nil {
			t.Fatal(err)
		}
		if got := store.NumParameters(); got != want {
			t.Errorf("%s: store holds %d parameters, want %d", name, got, want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	c := TinyConfig(100)
	if err := c.Validate(); err != nil {
		t.Fatalf("TinyConfig: %v", err)
	}
	c.HiddenSize, c.NumAttentionHeads, c.HiddenAct, c.LayerNormEps = 130, 4, "swish", 0
	err := c.Validate()
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, want := range []string{"hidden_size 130 is not divisible by num_attention_heads 4", `hidden_act "swish"`, "layer_norm_eps"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := Preset("huge", 0); err == nil || !strings.Contains(err.Error(), `"huge"`) {
		t.Errorf("Preset(huge): %v", err)
	}
}

// corrupt copies the tiny checkpoint to a temporary directory after edit changes its header
// entries (name → entry) and/or its bytes, and returns the directory.
func corrupt(t *testing.T, editHeader func(h map[string]map[string]any), editBytes func([]byte) []byte) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "tiny", "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if editHeader != nil {
		n := binary.LittleEndian.Uint64(raw[:8])
		var h map[string]map[string]any
		if err := json.Unmarshal(raw[8:8+n], &h); err != nil {
			t.Fatal(err)
		}
		editHeader(h)
		hb, _ := json.Marshal(h)
		out := binary.LittleEndian.AppendUint64(nil, uint64(len(hb)))
		raw = append(append(out, hb...), raw[8+n:]...)
	}
	if editBytes != nil {
		raw = editBytes(raw)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "model.safetensors"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _ := os.ReadFile(filepath.Join("testdata", "tiny", "config.json"))
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLoaderErrors: each broken checkpoint gives an error naming the tensor, never a panic.
func TestLoaderErrors(t *testing.T) {
	const key = "bert.encoder.layer.1.intermediate.dense.weight"
	cases := []struct {
		name   string
		dir    string
		expect []string
	}{
		{"missing", corrupt(t, func(h map[string]map[string]any) { delete(h, key) }, nil),
			[]string{"missing tensor", key}},
		{"wrong shape", corrupt(t, func(h map[string]map[string]any) {
			h[key]["shape"] = []int{24, 48} // transposed: same byte count, wrong layout
		}, nil), []string{key, "shape [24 48]", "want [48 24]"}},
		{"unknown dtype", corrupt(t, func(h map[string]map[string]any) { h[key]["dtype"] = "F8_E9" }, nil),
			[]string{key, `unknown dtype "F8_E9"`}},
		{"integer dtype", corrupt(t, func(h map[string]map[string]any) { h[key]["dtype"] = "I32" }, nil),
			[]string{key, "floating-point"}},
		{"truncated", corrupt(t, nil, func(b []byte) []byte { return b[:len(b)-100] }), []string{"truncated", "tensor"}},
		{"truncated header", corrupt(t, nil, func(b []byte) []byte { return b[:20] }), []string{"truncated"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadPretrained(testBackend(t), tc.dir, PreTrainingHeads, 0)
			if err == nil {
				t.Fatal("broken checkpoint accepted")
			}
			for _, want := range tc.expect {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
	// A head group that is absent entirely is not an error: it is reported and left random.
	dir := corrupt(t, func(h map[string]map[string]any) {
		for k := range h {
			if strings.HasPrefix(k, "cls.seq_relationship") {
				delete(h, k)
			}
		}
	}, nil)
	c, _ := LoadConfig(filepath.Join(dir, "config.json"))
	missing, err := LoadSafetensors(model.NewStore(), c, filepath.Join(dir, "model.safetensors"), PreTrainingHeads, 0)
	if err != nil || len(missing) != 1 || missing[0] != "cls.seq_relationship" {
		t.Errorf("missing NSP head: got %v, %v; want [cls.seq_relationship], nil", missing, err)
	}
	// Half of a group is an error.
	dir = corrupt(t, func(h map[string]map[string]any) { delete(h, "cls.seq_relationship.bias") }, nil)
	if _, err := LoadSafetensors(model.NewStore(), c, filepath.Join(dir, "model.safetensors"), PreTrainingHeads, 0); err == nil ||
		!strings.Contains(err.Error(), "cls.seq_relationship.bias") {
		t.Errorf("half NSP head: %v", err)
	}
}

// TestBF16Checkpoint stores the tiny checkpoint in bfloat16 (truncating the float32 bits, as the
// hub's bf16 files are) and checks the loaded values are the truncated ones.
func TestBF16Checkpoint(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "tiny", "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(raw[:8])
	var h map[string]map[string]any
	if err := json.Unmarshal(raw[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	data := raw[8+n:]
	var out []byte
	newHeader := map[string]map[string]any{}
	for name, e := range h {
		if name == "__metadata__" {
			continue
		}
		offs := e["data_offsets"].([]any)
		begin, end := int(offs[0].(float64)), int(offs[1].(float64))
		start := len(out)
		for i := begin; i < end; i += 4 {
			out = append(out, data[i+2], data[i+3]) // the high half of each little-endian float32
		}
		newHeader[name] = map[string]any{"dtype": "BF16", "shape": e["shape"], "data_offsets": []int{start, len(out)}}
	}
	hb, _ := json.Marshal(newHeader)
	file := append(binary.LittleEndian.AppendUint64(nil, uint64(len(hb))), hb...)
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := os.WriteFile(path, append(file, out...), 0o644); err != nil {
		t.Fatal(err)
	}
	c, _ := LoadConfig(filepath.Join("testdata", "tiny", "config.json"))
	store := model.NewStore()
	if _, err := LoadSafetensors(store, c, path, PreTrainingHeads, 0); err != nil {
		t.Fatal(err)
	}
	f32, _, err := training.ReadSafetensors(filepath.Join("testdata", "tiny", "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := training.Float32Values(f32[key0])
	got, err := store.GetVariable("/bert/encoder/layer_0/self_attn/query/weight").Value()
	if err != nil {
		t.Fatal(err)
	}
	g := got.Value().([][]float32)
	for i, w := range want[:50] {
		truncated := float32frombits(float32bits(w) &^ 0xffff)
		if g[i/24][i%24] != truncated {
			t.Fatalf("value %d: got %g, want %g (bf16 of %g)", i, g[i/24][i%24], truncated, w)
		}
	}
}

const key0 = "bert.encoder.layer.0.attention.self.query.weight"

func float32bits(f float32) uint32     { return math.Float32bits(f) }
func float32frombits(b uint32) float32 { return math.Float32frombits(b) }

// TestBertModelPrefix: a BertModel checkpoint (keys without the "bert." prefix, as HF saves the
// bare encoder) loads and gives the fixture's hidden states and pooled output.
func TestBertModelPrefix(t *testing.T) {
	dir := corrupt(t, func(h map[string]map[string]any) {
		for k, v := range h {
			if rest, ok := strings.CutPrefix(k, "bert."); ok {
				h[rest] = v
				delete(h, k)
			}
		}
	}, nil)
	f := loadCase(t, "tiny")
	m, err := LoadPretrained(testBackend(t), dir, PreTrainingHeads, 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.Forward(fixtureBatch(t, f))
	if err != nil {
		t.Fatal(err)
	}
	expectClose(t, "hidden_2", r.Hidden[2], f["hidden_2"], parityTolerance)
	expectClose(t, "pooled", r.Pooled, f["pooled"], parityTolerance)
}
