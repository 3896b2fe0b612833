package transformer

import (
	"errors"
	"fmt"
)

// LayerConfig describes one encoder or decoder layer.
type LayerConfig struct {
	// Width is d_model, the size of every token vector between sub-layers (512 in the paper).
	Width int
	// NumHeads is h; Width must be a multiple of it (headDim = Width/NumHeads).
	NumHeads int
	// FFNWidth is d_ff, the hidden size of the feed-forward block (usually 4·Width).
	FFNWidth int
	// Activation of the feed-forward block.
	Activation Activation
	// NormFirst selects pre-LN, x + Sublayer(LayerNorm(x)) (GPT-2), instead of post-LN,
	// LayerNorm(x + Sublayer(x)) (the original Transformer and BERT).
	NormFirst bool
	// Dropout is applied while training to each sub-layer's output (before the residual add),
	// inside the feed-forward block, and to the attention weights — PyTorch's single dropout knob.
	Dropout float64
	// LayerNormEpsilon is ε in LayerNorm (PyTorch: 1e-5; BERT: 1e-12).
	LayerNormEpsilon float64
}

// Validate reports every invalid field as an error naming its value.
func (c LayerConfig) Validate() error {
	var errs []error
	if c.Width <= 0 {
		errs = append(errs, fmt.Errorf("Width must be positive, got %d", c.Width))
	}
	if c.NumHeads <= 0 {
		errs = append(errs, fmt.Errorf("NumHeads must be positive, got %d", c.NumHeads))
	} else if c.Width > 0 && c.Width%c.NumHeads != 0 {
		errs = append(errs, fmt.Errorf("Width %d is not divisible by NumHeads %d", c.Width, c.NumHeads))
	}
	if c.FFNWidth <= 0 {
		errs = append(errs, fmt.Errorf("FFNWidth must be positive, got %d", c.FFNWidth))
	}
	if c.Activation < ReLU || c.Activation > GELUTanh {
		errs = append(errs, fmt.Errorf("unknown Activation %d", int(c.Activation)))
	}
	if c.Dropout < 0 || c.Dropout >= 1 {
		errs = append(errs, fmt.Errorf("Dropout must be in [0, 1), got %g", c.Dropout))
	}
	if c.LayerNormEpsilon <= 0 {
		errs = append(errs, fmt.Errorf("LayerNormEpsilon must be positive, got %g", c.LayerNormEpsilon))
	}
	return errors.Join(errs...)
}

// HeadDim is Width / NumHeads, the size of each head's queries, keys and values.
func (c LayerConfig) HeadDim() int { return c.Width / c.NumHeads }

// PositionKind selects how token positions enter the model.
type PositionKind int

const (
	// Sinusoidal adds the fixed table of SinusoidalTable (the original Transformer).
	Sinusoidal PositionKind = iota
	// Learned adds a trainable table, as BERT and GPT-2 do.
	Learned
)

// Config describes the full encoder–decoder Transformer of Seq2SeqLogits.
type Config struct {
	LayerConfig
	// EncoderLayers and DecoderLayers are N (6 in the paper).
	EncoderLayers, DecoderLayers int
	// SourceVocab and TargetVocab are the token-table sizes.
	SourceVocab, TargetVocab int
	// MaxLen is the longest source or target sequence (the size of the position table).
	MaxLen int
	// Positions selects sinusoidal or learned positions.
	Positions PositionKind
	// ScaleEmbeddings multiplies token embeddings by √Width before adding positions (paper §3.4).
	ScaleEmbeddings bool
	// FinalNorm adds a LayerNorm after each stack, as PyTorch's nn.Transformer does (and pre-LN
	// models need, since their last residual sum is never normalised otherwise).
	FinalNorm bool
	// PadID is the padding token: keys holding it are masked out.
	PadID int
}

// DefaultConfig returns the small configuration used by the course's toy tasks: 128 wide,
// 4 heads, 2+2 post-LN layers, sinusoidal positions, sequences up to 64 tokens.
func DefaultConfig(sourceVocab, targetVocab int) Config {
	return Config{
		LayerConfig: LayerConfig{Width: 128, NumHeads: 4, FFNWidth: 512, Activation: ReLU,
			Dropout: 0.1, LayerNormEpsilon: 1e-5},
		EncoderLayers: 2, DecoderLayers: 2,
		SourceVocab: sourceVocab, TargetVocab: targetVocab,
		MaxLen: 64, ScaleEmbeddings: true, FinalNorm: true,
	}
}

// Validate reports every invalid field as an error naming its value.
func (c Config) Validate() error {
	errs := []error{c.LayerConfig.Validate()}
	if c.EncoderLayers <= 0 {
		errs = append(errs, fmt.Errorf("EncoderLayers must be positive, got %d", c.EncoderLayers))
	}
	if c.DecoderLayers <= 0 {
		errs = append(errs, fmt.Errorf("DecoderLayers must be positive, got %d", c.DecoderLayers))
	}
	if c.SourceVocab <= 0 {
		errs = append(errs, fmt.Errorf("SourceVocab must be positive, got %d", c.SourceVocab))
	}
	if c.TargetVocab <= 0 {
		errs = append(errs, fmt.Errorf("TargetVocab must be positive, got %d", c.TargetVocab))
	}
	if c.MaxLen <= 0 {
		errs = append(errs, fmt.Errorf("MaxLen must be positive, got %d", c.MaxLen))
	}
	if c.Positions != Sinusoidal && c.Positions != Learned {
		errs = append(errs, fmt.Errorf("unknown Positions %d", int(c.Positions)))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("transformer.Config: %w", err)
	}
	return nil
}

// PositionEncoding returns the encoding Positions selects: SinusoidalEncoding or LearnedEncoding
// (N(0, 0.02²), as LearnedPositions), both for MaxLen positions.
func (c Config) PositionEncoding() PositionEncoding {
	if c.Positions == Learned {
		return LearnedEncoding{MaxLen: c.MaxLen, Std: 0.02}
	}
	return SinusoidalEncoding{MaxLen: c.MaxLen}
}

// CheckTokens reports, as an error naming the values, a batch that does not fit the model:
// ragged rows, a row longer than MaxLen, or a token outside [0, vocab) (see IDTable).
func (c Config) CheckTokens(what string, tokens [][]int32, vocab int) error {
	return IDTable{Name: what, MaxLen: c.MaxLen, MaxLenName: "MaxLen", Limit: vocab, LimitName: "vocabulary"}.Check(tokens)
}
