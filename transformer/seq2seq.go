package transformer

import (
	"fmt"
	"math"

	"github.com/bert2gpt/bert2gpt/backend/weights"
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// Embed looks up token vectors in a trainable table "weight" [vocab, width] of the given dtype
// (PyTorch's nn.Embedding layout). tokens is an integer [batch, seq]; the result is [batch, seq, width].
func Embed(scope *model.Scope, tokens *Node, dtype dtypes.DType, vocab, width int) *Node {
	table := scope.WithInitializer(initializer.RandomNormalFn(scope, 1/math.Sqrt(float64(width)))).
		VariableWithShape("weight", shapes.Make(dtype, vocab, width)).NodeValue(tokens.Graph())
	// Gather reads one row per index; the trailing axis of size 1 says "one index per lookup".
	return Gather(table, InsertAxes(tokens, -1))
}

// embedWithPositions is token embedding (×√width if cfg.ScaleEmbeddings) + positions, then dropout.
func embedWithPositions(scope *model.Scope, tokens *Node, vocab int, cfg Config) *Node {
	seq := tokens.Shape().Dim(1)
	x := Embed(scope.In("embed"), tokens, dtypes.Float32, vocab, cfg.Width) // [batch, seq, width]
	if cfg.ScaleEmbeddings {
		x = MulScalar(x, math.Sqrt(float64(cfg.Width)))
	}
	positions := Iota(tokens.Graph(), shapes.Make(dtypes.Int32, seq), 0)                           // 0 … seq−1
	pos := cfg.PositionEncoding().Additive(scope.In("positions"), positions, cfg.Width, x.DType()) // [seq, width]
	x = Add(x, InsertAxes(pos, 0))                                                                 // broadcast over the batch
	return Dropout(scope.In("dropout"), x, cfg.Dropout)
}

// Seq2SeqLogits builds the whole encoder–decoder Transformer of "Attention Is All You Need":
//
//	memory = Encoder(Embed(source) + positions)
//	logits = Decoder(Embed(target) + positions, memory)·W_outᵀ + b_out
//
// source is int32 [batch, sourceSeq], target is int32 [batch, targetSeq] (the decoder input,
// i.e. the answer shifted right behind a begin token); the result is [batch, targetSeq, TargetVocab]:
// position t scores the token that follows target[:, :t+1]. Keys equal to cfg.PadID are masked
// and the decoder's self-attention is causal. Variables: "source" and "target" (embed,
// positions), "encoder", "decoder", "generator" (the output Linear).
func Seq2SeqLogits(scope *model.Scope, cfg Config, source, target *Node) *Node {
	g := source.Graph()
	sourceMask := TokenPaddingMask(source, cfg.PadID) // [batch, 1, 1, sourceSeq]
	targetSeq := target.Shape().Dim(1)
	targetMask := CombineMasks(TokenPaddingMask(target, cfg.PadID), CausalMask(g, targetSeq, targetSeq))

	src := embedWithPositions(scope.In("source"), source, cfg.SourceVocab, cfg)
	memory := Encoder(scope.In("encoder"), src, sourceMask, cfg.LayerConfig, cfg.EncoderLayers, cfg.FinalNorm)
	tgt := embedWithPositions(scope.In("target"), target, cfg.TargetVocab, cfg)
	out := Decoder(scope.In("decoder"), tgt, memory, targetMask, sourceMask, cfg.LayerConfig, cfg.DecoderLayers, cfg.FinalNorm)
	return Linear(scope.In("generator"), out, cfg.TargetVocab, true)
}

// Seq2Seq is a ready-to-run encoder–decoder Transformer: a validated Config, a model.Store
// holding its variables, and a backend. Its methods return errors instead of panicking.
type Seq2Seq struct {
	// Config is the validated configuration.
	Config Config
	// Store holds the variables, under the scopes documented at Seq2SeqLogits.
	Store *model.Store
	// Backend runs the graphs.
	Backend compute.Backend
	logits  *model.Exec
}

// NewSeq2Seq validates cfg and prepares a model whose variables are created (randomly
// initialised) on first use, unless they were loaded into Store before.
func NewSeq2Seq(backend compute.Backend, cfg Config) (*Seq2Seq, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	backend = weights.AsParameters(backend) // GreedyDecode's cached executor must see trained weights
	m := &Seq2Seq{Config: cfg, Store: model.NewStore(), Backend: backend}
	exec, err := model.NewExec(backend, m.Store, func(scope *model.Scope, source, target *Node) *Node {
		return Seq2SeqLogits(scope, cfg, source, target)
	})
	if err != nil {
		return nil, fmt.Errorf("transformer.NewSeq2Seq: %w", err)
	}
	m.logits = exec
	return m, nil
}

// Logits runs Seq2SeqLogits on a batch of source and target token rows (each batch rectangular,
// padded with PadID) and returns [batch, targetSeq, TargetVocab] float32.
func (m *Seq2Seq) Logits(source, target [][]int32) (*tensors.Tensor, error) {
	if err := m.Config.CheckTokens("source", source, m.Config.SourceVocab); err != nil {
		return nil, err
	}
	if err := m.Config.CheckTokens("target", target, m.Config.TargetVocab); err != nil {
		return nil, err
	}
	if len(source) != len(target) {
		return nil, fmt.Errorf("source batch has %d rows but target batch has %d", len(source), len(target))
	}
	var out *tensors.Tensor
	err := Catch("transformer.Seq2Seq.Logits", func() error {
		var err error
		out, err = m.logits.Call1(tensors.FromValue(source), tensors.FromValue(target))
		return err
	})
	return out, err
}

// GreedyDecode translates each source row by repeatedly appending the most likely next token,
// starting from bos, until every row has produced eos or maxLen tokens were generated. The
// returned rows hold the generated tokens (without bos; with eos if it was produced).
//
// It keeps one fixed-size target buffer [batch, maxLen+1] filled with PadID beyond the current
// step, so the graph is compiled once. The causal mask means the padding to the right cannot
// change the logits at the current step. The whole decoder is re-run at each step — simple,
// and fine for the short sequences of the course (no key/value cache).
func (m *Seq2Seq) GreedyDecode(source [][]int32, bos, eos int32, maxLen int) ([][]int32, error) {
	if maxLen <= 0 || maxLen+1 > m.Config.MaxLen {
		return nil, fmt.Errorf("GreedyDecode: maxLen %d must be in [1, %d] (MaxLen−1, one slot is the begin token)", maxLen, m.Config.MaxLen-1)
	}
	for _, t := range []int32{bos, eos} {
		if t < 0 || int(t) >= m.Config.TargetVocab {
			return nil, fmt.Errorf("GreedyDecode: token %d is outside the target vocabulary [0, %d)", t, m.Config.TargetVocab)
		}
	}
	batch := len(source)
	target := make([][]int32, batch)
	for b := range target {
		target[b] = make([]int32, maxLen+1)
		for i := range target[b] {
			target[b][i] = int32(m.Config.PadID)
		}
		target[b][0] = bos
	}
	out := make([][]int32, batch)
	done := make([]bool, batch)
	vocab := m.Config.TargetVocab
	for step := range maxLen {
		logits, err := m.Logits(source, target)
		if err != nil {
			return nil, err
		}
		flat, err := tensors.CopyFlatData[float32](logits) // [batch, maxLen+1, vocab]
		if err != nil {
			return nil, err
		}
		allDone := true
		for b := range batch {
			if done[b] {
				continue
			}
			row := flat[(b*(maxLen+1)+step)*vocab : (b*(maxLen+1)+step+1)*vocab]
			next := int32(argmax(row))
			out[b] = append(out[b], next)
			target[b][step+1] = next
			done[b] = next == eos
			allDone = allDone && done[b]
		}
		if allDone {
			break
		}
	}
	return out, nil
}

func argmax(xs []float32) int {
	best := 0
	for i, x := range xs {
		if x > xs[best] {
			best = i
		}
	}
	return best
}
