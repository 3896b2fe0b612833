package bert

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/bert2gpt/bert2gpt/internal/atomicfile"
	"github.com/bert2gpt/bert2gpt/internal/boundedread"
	"github.com/bert2gpt/bert2gpt/transformer"
)

// Config is BERT's hyper-parameters with Hugging Face's field names and JSON tags, so a
// config.json of a BERT checkpoint reads into it directly (unknown fields are ignored).
type Config struct {
	// VocabSize is the number of token ids (21128 for bert-base-chinese, 30522 for bert-base-uncased).
	VocabSize int `json:"vocab_size"`
	// HiddenSize is the width H of every token vector (768 base, 1024 large).
	HiddenSize int `json:"hidden_size"`
	// NumHiddenLayers is L, the number of encoder layers (12 base, 24 large).
	NumHiddenLayers int `json:"num_hidden_layers"`
	// NumAttentionHeads is A (12 base, 16 large); HiddenSize must be a multiple of it.
	NumAttentionHeads int `json:"num_attention_heads"`
	// IntermediateSize is the feed-forward hidden size (4·H).
	IntermediateSize int `json:"intermediate_size"`
	// HiddenAct is the feed-forward activation: "gelu" (erf form, BERT's), "gelu_new" or
	// "gelu_pytorch_tanh" (tanh approximation), or "relu".
	HiddenAct string `json:"hidden_act"`
	// HiddenDropoutProb is the dropout rate on embeddings and on each sub-layer's output.
	HiddenDropoutProb float64 `json:"hidden_dropout_prob"`
	// AttentionProbsDropoutProb is the dropout rate on attention weights. The encoder of package
	// transformer has one dropout knob, so it must equal HiddenDropoutProb for training (it is
	// ignored at inference, where no dropout is applied).
	AttentionProbsDropoutProb float64 `json:"attention_probs_dropout_prob"`
	// MaxPositionEmbeddings is the size of the learned position table (512).
	MaxPositionEmbeddings int `json:"max_position_embeddings"`
	// TypeVocabSize is the number of segment (token type) ids: 2 for sentence A/B.
	TypeVocabSize int `json:"type_vocab_size"`
	// LayerNormEps is ε of every LayerNorm (1e-12).
	LayerNormEps float64 `json:"layer_norm_eps"`
	// InitializerRange is the standard deviation of the normal initialisation of weights (0.02).
	InitializerRange float64 `json:"initializer_range"`
	// PadTokenID is the id of [PAD] (HF's pad_token_id, 0 in BERT vocabularies).
	PadTokenID int `json:"pad_token_id"`
	// PositionEmbeddingType is "absolute" (learned positions, the only kind this package has);
	// "relative_key" checkpoints carry extra tensors and are refused by Validate.
	PositionEmbeddingType string `json:"position_embedding_type,omitempty"`
	// ModelType is "bert" in Hugging Face configs; written on export.
	ModelType string `json:"model_type,omitempty"`
	// Architectures lists the HF class names this checkpoint was saved from; written on export.
	Architectures []string `json:"architectures,omitempty"`
	// ID2Label names the classes of a sequence-classification checkpoint (HF's id2label; its
	// size is num_labels).
	ID2Label map[string]string `json:"id2label,omitempty"`
}

// BaseConfig returns BERT-base (L=12, H=768, A=12, ≈110M parameters) with bert-base-uncased's
// vocabulary size 30522.
func BaseConfig() Config {
	return Config{VocabSize: 30522, HiddenSize: 768, NumHiddenLayers: 12, NumAttentionHeads: 12,
		IntermediateSize: 3072, HiddenAct: "gelu", HiddenDropoutProb: 0.1, AttentionProbsDropoutProb: 0.1,
		MaxPositionEmbeddings: 512, TypeVocabSize: 2, LayerNormEps: 1e-12, InitializerRange: 0.02}
}

// LargeConfig returns BERT-large (L=24, H=1024, A=16, ≈340M parameters).
func LargeConfig() Config {
	c := BaseConfig()
	c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize = 1024, 24, 16, 4096
	return c
}

// TinyConfig returns a small BERT for the course's CPU runs: L=2, H=128, A=4, 512 intermediate,
// 64 positions, for the given vocabulary.
func TinyConfig(vocabSize int) Config {
	c := BaseConfig()
	c.VocabSize, c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads = vocabSize, 128, 2, 4
	c.IntermediateSize, c.MaxPositionEmbeddings = 512, 64
	return c
}

// Preset returns a named configuration: "tiny", "mini" (L=4, H=256, A=4), "base" or "large";
// vocabSize > 0 replaces the preset's vocabulary size.
func Preset(name string, vocabSize int) (Config, error) {
	var c Config
	switch name {
	case "tiny":
		c = TinyConfig(30522)
	case "mini":
		c = TinyConfig(30522)
		c.HiddenSize, c.NumHiddenLayers, c.IntermediateSize, c.MaxPositionEmbeddings = 256, 4, 1024, 128
	case "base":
		c = BaseConfig()
	case "large":
		c = LargeConfig()
	default:
		return c, fmt.Errorf("unknown BERT size %q (want tiny, mini, base or large)", name)
	}
	if vocabSize > 0 {
		c.VocabSize = vocabSize
	}
	return c, nil
}

// Upper bounds checked by Validate: far above every real BERT (BERT-large: hidden 1024, 24
// layers, 16 heads, 4096 intermediate, 512 positions, 2 token types; vocabularies of a few
// hundred thousand tokens), and low enough that a configuration alone cannot exhaust memory before
// any weight is read (num_hidden_layers 1e8 used to run for minutes, memory growing).
const (
	MaxVocabSize        = 1 << 21 // vocab_size ≤ 2,097,152
	MaxHiddenSize       = 1 << 16 // hidden_size ≤ 65,536
	MaxLayers           = 1 << 10 // num_hidden_layers ≤ 1024
	MaxHeads            = 1 << 10 // num_attention_heads ≤ 1024
	MaxIntermediateSize = 1 << 18 // intermediate_size ≤ 262,144
	MaxPositions        = 1 << 20 // max_position_embeddings ≤ 1,048,576
	MaxTypeVocabSize    = 1 << 10 // type_vocab_size ≤ 1024
	MaxLabels           = 1 << 16 // id2label entries (classes) ≤ 65,536
)

// Validate reports every invalid field as an error naming its value (and, for a value above its
// upper bound, the bound).
func (c Config) Validate() error {
	var errs []error
	positive := func(name string, v, limit int, bound string) {
		if v <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive, got %d", name, v))
		} else if v > limit {
			errs = append(errs, fmt.Errorf("%s %d is above the limit %d (%s)", name, v, limit, bound))
		}
	}
	positive("vocab_size", c.VocabSize, MaxVocabSize, "bert.MaxVocabSize")
	positive("hidden_size", c.HiddenSize, MaxHiddenSize, "bert.MaxHiddenSize")
	positive("num_hidden_layers", c.NumHiddenLayers, MaxLayers, "bert.MaxLayers")
	positive("num_attention_heads", c.NumAttentionHeads, MaxHeads, "bert.MaxHeads")
	positive("intermediate_size", c.IntermediateSize, MaxIntermediateSize, "bert.MaxIntermediateSize")
	positive("max_position_embeddings", c.MaxPositionEmbeddings, MaxPositions, "bert.MaxPositions")
	positive("type_vocab_size", c.TypeVocabSize, MaxTypeVocabSize, "bert.MaxTypeVocabSize")
	if len(c.ID2Label) > MaxLabels {
		errs = append(errs, fmt.Errorf("id2label has %d labels, above the limit %d (bert.MaxLabels)", len(c.ID2Label), MaxLabels))
	}
	if c.HiddenSize > 0 && c.NumAttentionHeads > 0 && c.HiddenSize%c.NumAttentionHeads != 0 {
		errs = append(errs, fmt.Errorf("hidden_size %d is not divisible by num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads))
	}
	if c.PositionEmbeddingType != "" && c.PositionEmbeddingType != "absolute" {
		errs = append(errs, fmt.Errorf("position_embedding_type %q is not supported (only \"absolute\")", c.PositionEmbeddingType))
	}
	if _, err := activation(c.HiddenAct); err != nil {
		errs = append(errs, err)
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"hidden_dropout_prob", c.HiddenDropoutProb}, {"attention_probs_dropout_prob", c.AttentionProbsDropoutProb}} {
		if !(p.v >= 0 && p.v < 1) {
			errs = append(errs, fmt.Errorf("%s must be in [0, 1), got %g", p.name, p.v))
		}
	}
	if !(c.LayerNormEps > 0) || math.IsInf(c.LayerNormEps, 0) {
		errs = append(errs, fmt.Errorf("layer_norm_eps must be positive, got %g", c.LayerNormEps))
	}
	if !(c.InitializerRange >= 0) || math.IsInf(c.InitializerRange, 0) {
		errs = append(errs, fmt.Errorf("initializer_range must be ≥ 0, got %g", c.InitializerRange))
	}
	if c.PadTokenID < 0 || (c.VocabSize > 0 && c.PadTokenID >= c.VocabSize) {
		errs = append(errs, fmt.Errorf("pad_token_id %d is outside the vocabulary [0, %d)", c.PadTokenID, c.VocabSize))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("bert.Config: %w", err)
	}
	return nil
}

// activation maps HF's hidden_act names to the feed-forward activations of package transformer.
func activation(name string) (transformer.Activation, error) {
	switch name {
	case "gelu":
		return transformer.GELU, nil
	case "gelu_new", "gelu_pytorch_tanh", "gelu_fast":
		return transformer.GELUTanh, nil
	case "relu":
		return transformer.ReLU, nil
	}
	return 0, fmt.Errorf("hidden_act %q is not supported (want gelu, gelu_new, gelu_pytorch_tanh or relu)", name)
}

// LayerConfig is the encoder-layer configuration of package transformer that c describes:
// post-LN, BERT's activation and ε, dropout HiddenDropoutProb.
func (c Config) LayerConfig() transformer.LayerConfig {
	act, _ := activation(c.HiddenAct)
	return transformer.LayerConfig{Width: c.HiddenSize, NumHeads: c.NumAttentionHeads, FFNWidth: c.IntermediateSize,
		Activation: act, NormFirst: false, Dropout: c.HiddenDropoutProb, LayerNormEpsilon: c.LayerNormEps}
}

// ParamCount is the number of parameters of BertForPreTraining with config c (the MLM decoder
// shares the word-embedding table, so it adds only its bias):
//
//	embeddings  V·H + P·H + T·H + 2H                     (word, position, type, LayerNorm)
//	each layer  4(H² + H) + 2H + 2·H·I + I + H + 2H       (Q, K, V, O; LN; FFN; LN)
//	pooler      H² + H
//	MLM head    H² + H + 2H + V                          (transform dense, LayerNorm, decoder bias)
//	NSP head    2H + 2
//
// BERT-base: 110,106,428 (BertModel alone: 109,482,240); BERT-large: 336,226,108 (335,141,888),
// the counts of transformers' BertForPreTraining and BertModel.
func ParamCount(c Config) int {
	H, V, P, T, I, L := c.HiddenSize, c.VocabSize, c.MaxPositionEmbeddings, c.TypeVocabSize, c.IntermediateSize, c.NumHiddenLayers
	embeddings := V*H + P*H + T*H + 2*H
	layer := 4*(H*H+H) + 2*H + H*I + I + I*H + H + 2*H
	pooler := H*H + H
	mlm := H*H + H + 2*H + V
	nsp := 2*H + 2
	return embeddings + L*layer + pooler + mlm + nsp
}

// LoadConfig reads a Hugging Face config.json and validates it.
func LoadConfig(path string) (Config, error) {
	raw, err := boundedread.ReadFile(path, boundedread.ConfigLimit)
	if err != nil {
		return Config{}, fmt.Errorf("bert.LoadConfig: %w", err)
	}
	c, err := ParseConfig(raw)
	if err != nil {
		return Config{}, fmt.Errorf("bert.LoadConfig %s: %w", path, err)
	}
	return c, nil
}

// ParseConfig reads the JSON of a config.json (BERT's defaults for absent ε, initializer range,
// activation and token types) and validates it.
func ParseConfig(data []byte) (Config, error) {
	c := Config{PadTokenID: 0, LayerNormEps: 1e-12, InitializerRange: 0.02, HiddenAct: "gelu", TypeVocabSize: 2}
	if err := json.Unmarshal(data, &c); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Save writes c as a Hugging Face config.json (model_type "bert").
func (c Config) Save(path string) error {
	if c.ModelType == "" {
		c.ModelType = "bert"
	}
	if len(c.Architectures) == 0 {
		c.Architectures = []string{"BertForPreTraining"}
	}
	raw, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, append(raw, '\n'))
}
