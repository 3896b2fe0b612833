package gpt

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// hfTensor maps one Hugging Face GPT-2 tensor onto one of our variables.
type hfTensor struct {
	hf        string // key in model.safetensors, without the "transformer." prefix
	ours      string // our variable path
	transpose bool   // HF Conv1D stores [in, out]; our Linear stores [out, in]
	shape     []int  // our shape
}

// hfNames lists every tensor of a GPT-2 checkpoint for config c, in HF's order.
func hfNames(c Config) []hfTensor {
	d, f, V, P := c.NEmbd, c.Inner(), c.VocabSize, c.NPositions
	ts := []hfTensor{{"wte.weight", "/wte/weight", false, []int{V, d}}}
	if c.learnedPositions() {
		ts = append(ts, hfTensor{"wpe.weight", "/wpe/weight", false, []int{P, d}})
	}
	norm := func(hf, ours string) {
		ts = append(ts, hfTensor{hf + ".weight", ours + "/gain", false, []int{d}}, hfTensor{hf + ".bias", ours + "/bias", false, []int{d}})
	}
	conv := func(hf, ours string, in, out int) {
		ts = append(ts, hfTensor{hf + ".weight", ours + "/weight", true, []int{out, in}}, hfTensor{hf + ".bias", ours + "/bias", false, []int{out}})
	}
	for i := range c.NLayer {
		h, o := fmt.Sprintf("h.%d.", i), fmt.Sprintf("/h/%d/", i)
		norm(h+"ln_1", o+"ln_1")
		conv(h+"attn.c_attn", o+"attn/c_attn", d, 3*d)
		conv(h+"attn.c_proj", o+"attn/c_proj", d, d)
		norm(h+"ln_2", o+"ln_2")
		conv(h+"mlp.c_fc", o+"mlp/c_fc", d, f)
		conv(h+"mlp.c_proj", o+"mlp/c_proj", f, d)
	}
	norm("ln_f", "/ln_f")
	return ts
}

// isModelVariable tells model weights from optimizer/training state in the store.
func isModelVariable(path string) bool {
	for _, p := range []string{"/wte/", "/wpe/", "/h/", "/ln_f/"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// hfBuffers are non-parameter tensors some GPT-2 files carry (the causal-mask buffers) and the
// tied LM head; they are skipped.
func hfBuffer(key string) bool {
	return key == "lm_head.weight" || strings.HasSuffix(key, ".attn.bias") || strings.HasSuffix(key, ".attn.masked_bias")
}

// LoadHF loads a Hugging Face GPT-2 model directory: config.json and model.safetensors (keys with
// or without the "transformer." prefix; Conv1D weights [in, out] are transposed to our [out, in];
// float16, bfloat16 and float64 files are widened to float32). A missing tensor, an unexpected one,
// a wrong shape, a non-float dtype, a NaN or infinite value, an untied LM head or a damaged file is
// an error naming the tensor. FromPretrained also finds the tokenizer, and takes hub ids.
func LoadHF(backend compute.Backend, dir string) (*Model, error) {
	c, err := LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("gpt.LoadHF: %w", err)
	}
	values, err := readHF(filepath.Join(dir, "model.safetensors"), c)
	if err != nil {
		return nil, fmt.Errorf("gpt.LoadHF: %w", err)
	}
	store := model.NewStore()
	if err := training.SetVariables(store, values); err != nil {
		return nil, fmt.Errorf("gpt.LoadHF: %w", err)
	}
	return newWithStore(backend, c, store)
}

// readHF reads the tensors of a GPT-2 model.safetensors for config c, keyed by our variable paths.
func readHF(file string, c Config) (map[string]*tensors.Tensor, error) {
	raw, _, err := training.ReadSafetensors(file)
	if err != nil {
		return nil, err
	}
	byKey := map[string]*tensors.Tensor{}
	for k, t := range raw {
		byKey[strings.TrimPrefix(k, "transformer.")] = t
	}
	values := map[string]*tensors.Tensor{}
	for _, e := range hfNames(c) {
		t, ok := byKey[e.hf]
		if !ok {
			return nil, fmt.Errorf("%s: missing tensor %q", file, e.hf)
		}
		delete(byKey, e.hf)
		want := e.shape
		if e.transpose {
			want = []int{e.shape[1], e.shape[0]}
		}
		if !slices.Equal(t.Shape().Dimensions, want) {
			return nil, fmt.Errorf("%s: tensor %q has shape %v, config.json implies %v", file, e.hf, t.Shape().Dimensions, want)
		}
		data, err := training.Float32Values(t)
		if err != nil {
			return nil, fmt.Errorf("%s: tensor %q: %w", file, e.hf, err)
		}
		t = tensors.FromFlatDataAndDimensions(data, want...)
		if err := training.CheckFinite(e.hf, t); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if e.transpose {
			t = transpose2D(t)
		}
		values[e.ours] = t
	}
	if head, ok := byKey["lm_head.weight"]; ok {
		// GPT-2's LM head is the token embedding (tied); a file may store it again. A different
		// matrix would be a model this package does not have.
		data, err := training.Float32Values(head)
		if err != nil || !slices.Equal(head.Shape().Dimensions, []int{c.VocabSize, c.NEmbd}) ||
			!slices.Equal(data, tensors.MustCopyFlatData[float32](values["/wte/weight"])) {
			return nil, fmt.Errorf("%s: tensor \"lm_head.weight\" is not wte.weight: an untied LM head, which this package does not model", file)
		}
	}
	for k := range byKey {
		if !hfBuffer(k) {
			return nil, fmt.Errorf("%s: unexpected tensor %q (not part of a GPT-2 with this config.json)", file, k)
		}
	}
	return values, nil
}

// transpose2D returns the transpose of a float32 matrix.
func transpose2D(t *tensors.Tensor) *tensors.Tensor {
	r, cols := t.Shape().Dim(0), t.Shape().Dim(1)
	src := tensors.MustCopyFlatData[float32](t)
	dst := make([]float32, len(src))
	for i := range r {
		for j := range cols {
			dst[j*r+i] = src[i*cols+j]
		}
	}
	return tensors.FromFlatDataAndDimensions(dst, cols, r)
}

// ExportHF writes the model in the Hugging Face layout to dir: config.json and model.safetensors
// (keys "transformer.…", Conv1D weights as [in, out]), which transformers' GPT2LMHeadModel
// .from_pretrained loads (scripts/reference/gpt_fixtures.py --check-export proves it).
// The model's variables must exist (run it once, or load it).
func (m *Model) ExportHF(dir string) error {
	if !m.Config.learnedPositions() {
		return fmt.Errorf("gpt.ExportHF: positions %q: Hugging Face's GPT-2 has learned positions only", m.Config.Positions)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ts := map[string]*tensors.Tensor{}
	var names []string
	for _, e := range hfNames(m.Config) {
		v := m.Store.GetVariable(e.ours)
		if v == nil {
			return fmt.Errorf("gpt.ExportHF: variable %s does not exist yet (run or load the model first)", e.ours)
		}
		t, err := v.Value()
		if err != nil {
			return fmt.Errorf("gpt.ExportHF: %s: %w", e.ours, err)
		}
		if e.transpose {
			t = transpose2D(t)
		}
		key := "transformer." + e.hf
		ts[key] = t
		names = append(names, key)
	}
	if err := training.WriteSafetensors(filepath.Join(dir, "model.safetensors"), ts, names, map[string]string{"format": "pt"}); err != nil {
		return fmt.Errorf("gpt.ExportHF: %w", err)
	}
	cfg := map[string]any{}
	data, _ := json.Marshal(m.Config)
	_ = json.Unmarshal(data, &cfg)
	cfg["model_type"] = "gpt2"
	cfg["architectures"] = []string{"GPT2LMHeadModel"}
	cfg["n_inner"] = m.Config.Inner()
	out, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	return training.WriteFileAtomic(filepath.Join(dir, "config.json"), func(w io.Writer) error {
		_, err := w.Write(append(out, '\n'))
		return err
	})
}

// LoadTokenizer loads the byte-level BPE files of a GPT-2 directory (vocab.json, merges.txt).
func LoadTokenizer(dir string) (*tokenizer.BPE, error) {
	return tokenizer.LoadBPE(filepath.Join(dir, "vocab.json"), filepath.Join(dir, "merges.txt"), tokenizer.BPEOptions{})
}
