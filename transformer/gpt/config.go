package gpt

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/bert2gpt/bert2gpt/internal/boundedread"
	"github.com/bert2gpt/bert2gpt/transformer"
)

// Config describes a GPT model with the field names and JSON tags of Hugging Face's GPT2Config
// (config.json), so a GPT-2 checkpoint's config loads as is.
type Config struct {
	VocabSize  int `json:"vocab_size"`  // V: tokens in the vocabulary
	NPositions int `json:"n_positions"` // maximum context length (learned position table rows)
	NEmbd      int `json:"n_embd"`      // d: model width
	NLayer     int `json:"n_layer"`     // number of decoder blocks
	NHead      int `json:"n_head"`      // attention heads; d must be divisible by it
	// NInner is the feed-forward hidden width; 0 means 4·d (HF's null).
	NInner int `json:"n_inner,omitempty"`
	// ActivationFunction is "gelu_new" (GPT-2's tanh approximation), "gelu" (erf) or "relu".
	ActivationFunction string  `json:"activation_function"`
	LayerNormEpsilon   float64 `json:"layer_norm_epsilon"`
	ResidPdrop         float64 `json:"resid_pdrop"`       // dropout after attention/MLP outputs
	EmbdPdrop          float64 `json:"embd_pdrop"`        // dropout after token+position embeddings
	AttnPdrop          float64 `json:"attn_pdrop"`        // dropout on the attention weights
	InitializerRange   float64 `json:"initializer_range"` // σ of the normal initialisation (0.02)
	// ModelType is "gpt2" in HF files; kept for the export.
	ModelType string `json:"model_type,omitempty"`
	// Positions is how the model tells positions apart: "" or "learned" is GPT-2's learned table wpe
	// (transformer.LearnedEncoding); "rope" rotates queries and keys instead (RoPE,
	// transformer.RotaryEncoding): no wpe, relative positions. Not a GPT2Config field: Hugging
	// Face's GPT-2 has learned positions only, so a "rope" model cannot be exported to it.
	Positions string `json:"positions,omitempty"`
	// RopeTheta is RoPE's frequency base (0 = 10000), as LLaMA's rope_theta.
	RopeTheta float64 `json:"rope_theta,omitempty"`
}

// PositionEncoding returns the encoding Positions selects, for NPositions positions.
func (c Config) PositionEncoding() transformer.PositionEncoding {
	if c.Positions == "rope" {
		base := c.RopeTheta
		if base == 0 {
			base = 10000
		}
		return transformer.RotaryEncoding{MaxLen: c.NPositions, Base: base}
	}
	return transformer.LearnedEncoding{MaxLen: c.NPositions, Std: c.InitializerRange}
}

// learnedPositions says whether the model has the table wpe [n_positions, d].
func (c Config) learnedPositions() bool { return c.Positions != "rope" }

// Inner returns the feed-forward hidden width (NInner, or 4·NEmbd when NInner is 0).
func (c Config) Inner() int {
	if c.NInner > 0 {
		return c.NInner
	}
	return 4 * c.NEmbd
}

// HeadDim returns NEmbd / NHead.
func (c Config) HeadDim() int { return c.NEmbd / c.NHead }

// Upper bounds checked by Validate: far above every real GPT (GPT-3 175B has n_embd 12288, 96
// layers, 96 heads, 2048 positions; vocabularies reach a few hundred thousand tokens), and low
// enough that a configuration alone cannot exhaust memory before any weight is read (n_layer 1e8
// used to run out of memory listing the tensors to load).
const (
	MaxVocabSize = 1 << 21 // vocab_size ≤ 2,097,152
	MaxPositions = 1 << 20 // n_positions ≤ 1,048,576
	MaxEmbd      = 1 << 16 // n_embd ≤ 65,536
	MaxLayers    = 1 << 10 // n_layer ≤ 1024
	MaxHeads     = 1 << 10 // n_head ≤ 1024
	MaxInner     = 1 << 18 // n_inner ≤ 262,144
)

// Validate reports the first bad value, naming the HF field (and, for a value above its upper
// bound, the bound).
func (c Config) Validate() error {
	for _, f := range []struct {
		name     string
		v, limit int
		bound    string
	}{
		{"vocab_size", c.VocabSize, MaxVocabSize, "gpt.MaxVocabSize"}, {"n_positions", c.NPositions, MaxPositions, "gpt.MaxPositions"},
		{"n_embd", c.NEmbd, MaxEmbd, "gpt.MaxEmbd"}, {"n_layer", c.NLayer, MaxLayers, "gpt.MaxLayers"}, {"n_head", c.NHead, MaxHeads, "gpt.MaxHeads"},
	} {
		if f.v <= 0 {
			return fmt.Errorf("gpt.Config: %s = %d must be > 0", f.name, f.v)
		}
		if f.v > f.limit {
			return fmt.Errorf("gpt.Config: %s = %d is above the limit %d (%s)", f.name, f.v, f.limit, f.bound)
		}
	}
	if c.NEmbd%c.NHead != 0 {
		return fmt.Errorf("gpt.Config: n_embd = %d is not divisible by n_head = %d", c.NEmbd, c.NHead)
	}
	if c.NInner < 0 {
		return fmt.Errorf("gpt.Config: n_inner = %d must be ≥ 0 (0 = 4·n_embd)", c.NInner)
	}
	if c.Inner() > MaxInner {
		return fmt.Errorf("gpt.Config: n_inner = %d is above the limit %d (gpt.MaxInner)", c.Inner(), MaxInner)
	}
	switch c.ActivationFunction {
	case "gelu_new", "gelu", "relu", "gelu_pytorch_tanh":
	default:
		return fmt.Errorf("gpt.Config: activation_function %q is not one of gelu_new, gelu, gelu_pytorch_tanh, relu", c.ActivationFunction)
	}
	if !(c.LayerNormEpsilon > 0) || math.IsInf(c.LayerNormEpsilon, 0) {
		return fmt.Errorf("gpt.Config: layer_norm_epsilon = %g must be > 0", c.LayerNormEpsilon)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"resid_pdrop", c.ResidPdrop}, {"embd_pdrop", c.EmbdPdrop}, {"attn_pdrop", c.AttnPdrop}} {
		if !(f.v >= 0 && f.v < 1) {
			return fmt.Errorf("gpt.Config: %s = %g must be in [0, 1)", f.name, f.v)
		}
	}
	if !(c.InitializerRange > 0) || math.IsInf(c.InitializerRange, 0) {
		return fmt.Errorf("gpt.Config: initializer_range = %g must be > 0", c.InitializerRange)
	}
	switch c.Positions {
	case "", "learned":
	case "rope":
		if c.HeadDim()%2 != 0 {
			return fmt.Errorf("gpt.Config: positions \"rope\" needs an even head width, n_embd/n_head = %d", c.HeadDim())
		}
	default:
		return fmt.Errorf("gpt.Config: positions %q is not one of \"learned\", \"rope\"", c.Positions)
	}
	if c.RopeTheta < 0 || math.IsNaN(c.RopeTheta) || math.IsInf(c.RopeTheta, 0) || (c.RopeTheta > 0 && c.RopeTheta <= 1) {
		return fmt.Errorf("gpt.Config: rope_theta = %g must be > 1 (0 = 10000)", c.RopeTheta)
	}
	return nil
}

// base fills the GPT-2 defaults around the sizes.
func base(vocab, positions, embd, layers, heads int) Config {
	return Config{VocabSize: vocab, NPositions: positions, NEmbd: embd, NLayer: layers, NHead: heads,
		ActivationFunction: "gelu_new", LayerNormEpsilon: 1e-5, ResidPdrop: 0.1, EmbdPdrop: 0.1, AttnPdrop: 0.1,
		InitializerRange: 0.02, ModelType: "gpt2"}
}

// Presets by name. GPT-1 and GPT-3 are here for their sizes (chapter 01 counts their parameters);
// GPT-1 used post-LN blocks and GPT-3 alternating sparse attention, which this package does not
// model — their parameter counts are the same either way.
var presets = map[string]Config{
	"gpt1":        base(40478, 512, 768, 12, 12),
	"gpt2":        base(50257, 1024, 768, 12, 12),
	"gpt2-medium": base(50257, 1024, 1024, 24, 16),
	"gpt2-large":  base(50257, 1024, 1280, 36, 20),
	"gpt2-xl":     base(50257, 1024, 1600, 48, 25),
	"gpt3-175b":   base(50257, 2048, 12288, 96, 96),
	"nanogpt-cpu": nanoGPTCPU(),
	// nanogpt-cpu-fast is the same model as nanogpt-cpu; the preset selects the recipe FastCPU
	// (Recipe), which reaches a lower loss in less time.
	"nanogpt-cpu-fast": nanoGPTCPU(),
}

// nanoGPTCPU is nanoGPT's "baby GPT" for a laptop CPU (README: 4 layers, 4 heads, width 128,
// block 64, no dropout); the vocabulary size is set from the tokenizer (65 for Shakespeare chars).
func nanoGPTCPU() Config {
	c := base(65, 64, 128, 4, 4)
	c.ResidPdrop, c.EmbdPdrop, c.AttnPdrop = 0, 0, 0
	return c
}

// Preset returns the named configuration: gpt1, gpt2, gpt2-medium, gpt2-large, gpt2-xl,
// gpt3-175b, nanogpt-cpu, nanogpt-cpu-fast. Recipe returns the training recipe that goes with it.
func Preset(name string) (Config, error) {
	c, ok := presets[name]
	if !ok {
		return Config{}, fmt.Errorf("gpt: unknown preset %q (known: %s)", name, strings.Join(PresetNames(), ", "))
	}
	return c, nil
}

// PresetNames lists the presets, sorted.
func PresetNames() []string {
	var names []string
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ParamCount returns the number of parameters of the model the config describes, with the LM head
// tied to the token embedding (counted once):
//
//	V·d + P·d                                   token and position embeddings
//	+ L·( 2·2d                                  two LayerNorms (gain, bias)
//	     + d·3d + 3d + d·d + d                  attention: fused q,k,v and output projection
//	     + d·f + f + f·d + d )                  MLP, f = inner width
//	+ 2d                                        final LayerNorm
//
// gpt2 → 124,439,808 (the "124M"; the GPT-2 paper's table said 117M), gpt3-175b → 174,604,259,328 (≈175B); gpt1 → 116,536,320 (the "117M").
func ParamCount(c Config) int64 {
	V, P, d, L, f := int64(c.VocabSize), int64(c.NPositions), int64(c.NEmbd), int64(c.NLayer), int64(c.Inner())
	block := 4*d + (3*d*d + 3*d) + (d*d + d) + (d*f + f) + (f*d + d)
	if !c.learnedPositions() {
		P = 0 // RoPE has no position table
	}
	return V*d + P*d + L*block + 2*d
}

// LoadConfig reads a Hugging Face config.json (unknown fields are ignored; n_inner null = 4·d) and
// validates it.
func LoadConfig(file string) (Config, error) {
	data, err := boundedread.ReadFile(file, boundedread.ConfigLimit)
	if err != nil {
		return Config{}, err
	}
	c, err := ParseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", file, err)
	}
	return c, nil
}

// ParseConfig reads the JSON of a config.json (GPT-2 defaults for absent fields) and validates it.
func ParseConfig(data []byte) (Config, error) {
	c := base(0, 0, 0, 0, 0)
	if err := json.Unmarshal(data, &c); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}
