package bert

import (
	"fmt"
	"path/filepath"
	"sync"

	"github.com/bert2gpt/bert2gpt/backend/weights"
	"github.com/bert2gpt/bert2gpt/internal/memory"
	"github.com/bert2gpt/bert2gpt/transformer"
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Model is a ready-to-run BERT: a validated Config, a model.Store holding its variables (under
// the scopes of PreTraining or SequenceClassification), and a backend. Its methods return errors
// instead of panicking.
type Model struct {
	// Config is the validated configuration.
	Config Config
	// Head says which heads the model has besides the encoder.
	Head Head
	// NumLabels is the number of classes of the classifier head (ClassifierHead only).
	NumLabels int
	// Store holds the variables.
	Store *model.Store
	// Backend runs the graphs.
	Backend compute.Backend
	// NoPooler says the model has no pooler (an EncoderOnly checkpoint saved without one, HF's
	// add_pooling_layer=False): Result.Pooled is then nil.
	NoPooler bool

	mu        sync.Mutex // Forward and SentenceEmbeddings hold it: concurrent calls run one at a time
	forward   *model.Exec
	embed     map[EmbedOptions]*model.Exec
	attention *model.Exec // AttentionMaps
}

// New validates c and makes a model whose variables are created (randomly initialised as HF
// does: N(0, initializer_range²) weights, zero biases, unit LayerNorm gains) on first use, unless
// they were loaded into Store before; weights that cannot fit in the available memory are an
// error (internal/memory). numLabels is used by ClassifierHead only.
func New(backend compute.Backend, c Config, head Head, numLabels int) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if head == ClassifierHead && (numLabels < 2 || numLabels > MaxLabels) {
		return nil, fmt.Errorf("bert.New: a classifier needs 2 to %d labels, got %d", MaxLabels, numLabels)
	}
	if err := memory.Check(fmt.Sprintf("bert.New: a model of %d parameters", ParamCount(c)), c.WeightBytes()); err != nil {
		return nil, err
	}
	backend = weights.AsParameters(backend) // cached executors must see trained weights
	m := &Model{Config: c, Head: head, NumLabels: numLabels, Store: model.NewStore(), Backend: backend}
	return m, nil
}

// LoadPretrained reads a Hugging Face BERT directory (config.json and model.safetensors, as
// save_pretrained writes or the hub serves) into a new model with the given head. Head groups
// absent from the file (e.g. the classifier of a pre-trained checkpoint) are initialised randomly.
func LoadPretrained(backend compute.Backend, dir string, head Head, numLabels int) (*Model, error) {
	c, err := LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	m, err := New(backend, c, head, numLabels)
	if err != nil {
		return nil, err
	}
	if _, err := LoadSafetensors(m.Store, c, filepath.Join(dir, "model.safetensors"), head, numLabels); err != nil {
		return nil, err
	}
	return m, nil
}

// Result holds the outputs of Model.Forward as tensors.
type Result struct {
	// MLMLogits [batch, seq, vocab] and NSPLogits [batch, 2] (PreTrainingHeads), or
	// ClassLogits [batch, numLabels] (ClassifierHead); nil for EncoderOnly.
	MLMLogits, NSPLogits, ClassLogits *tensors.Tensor
	// Pooled is [batch, hidden] (nil when the model has no pooler).
	Pooled *tensors.Tensor
	// LastHiddenState is the last layer's output, [batch, seq, hidden]: HF's last_hidden_state,
	// the last entry of Hidden.
	LastHiddenState *tensors.Tensor
	// Hidden are the embeddings output and every layer's output, each [batch, seq, hidden] (HF's
	// hidden_states).
	Hidden []*tensors.Tensor
}

// Batch is one batch of BERT inputs, each [batch][seq] with one length for all rows.
type Batch struct {
	InputIDs, TokenTypeIDs, AttentionMask [][]int32
}

// Check reports a batch that does not fit the model: ragged or empty rows, a row longer than
// max_position_embeddings, ids outside the vocabulary or type vocabulary.
func (c Config) Check(b Batch) error {
	ids := transformer.IDTable{Name: "bert: input_ids", MaxLen: c.MaxPositionEmbeddings, MaxLenName: "max_position_embeddings",
		Limit: c.VocabSize, LimitName: "vocab_size"}
	if err := ids.Check(b.InputIDs); err != nil {
		return err
	}
	beside := transformer.IDTable{Rows: len(b.InputIDs), Len: len(b.InputIDs[0])} // same shape as input_ids
	beside.Name, beside.Limit, beside.LimitName = "bert: token_type_ids", c.TypeVocabSize, "type_vocab_size"
	if err := beside.Check(b.TokenTypeIDs); err != nil {
		return err
	}
	beside.Name, beside.Limit, beside.LimitName = "bert: attention_mask", 2, "mask values"
	return beside.Check(b.AttentionMask)
}

// Forward runs the model in inference mode (no dropout) on one batch: the encoder and the heads
// the model has (an EncoderOnly model computes no logits). It is safe for concurrent use: calls run
// one at a time.
func (m *Model) Forward(b Batch) (*Result, error) {
	if err := m.Config.Check(b); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock() // graph building on the shared Store is not safe for concurrent use
	if m.forward == nil {
		exec, err := model.NewExec(m.Backend, m.Store, func(scope *model.Scope, in []*Node) []*Node {
			c := m.Config
			switch m.Head {
			case ClassifierHead:
				out := Encode(scope.In("bert"), c, in[0], in[1], in[2])
				logits := ClassifierLogits(scope.In("classifier"), c, out.Pooled, m.NumLabels)
				return append([]*Node{logits, out.Pooled}, out.Hidden...)
			case PreTrainingHeads:
				out, mlm, nsp := PreTraining(scope, c, in[0], in[1], in[2])
				return append([]*Node{mlm, nsp, out.Pooled}, out.Hidden...)
			}
			if m.NoPooler {
				return EncodeSequence(scope.In("bert"), c, in[0], in[1], in[2]).Hidden
			}
			out := Encode(scope.In("bert"), c, in[0], in[1], in[2])
			return append([]*Node{out.Pooled}, out.Hidden...)
		})
		if err != nil {
			return nil, fmt.Errorf("bert.Model.Forward: %w", err)
		}
		m.forward = exec
	}
	outs, err := run("bert.Model.Forward", m.forward, b)
	if err != nil {
		return nil, err
	}
	r := &Result{}
	switch {
	case m.Head == ClassifierHead:
		r.ClassLogits, r.Pooled, r.Hidden = outs[0], outs[1], outs[2:]
	case m.Head == PreTrainingHeads:
		r.MLMLogits, r.NSPLogits, r.Pooled, r.Hidden = outs[0], outs[1], outs[2], outs[3:]
	case m.NoPooler:
		r.Hidden = outs
	default:
		r.Pooled, r.Hidden = outs[0], outs[1:]
	}
	r.LastHiddenState = r.Hidden[len(r.Hidden)-1]
	return r, nil
}

// run calls exec on the batch's three id tables (GoMLX panics become errors naming what).
func run(what string, exec *model.Exec, b Batch) (outs []*tensors.Tensor, err error) {
	err = transformer.Catch(what, func() error {
		var err error
		outs, err = exec.Call(tensors.FromValue(b.InputIDs), tensors.FromValue(b.TokenTypeIDs), tensors.FromValue(b.AttentionMask))
		return err
	})
	return outs, err
}

// SentenceEmbeddings returns one vector per row of the batch, [batch, hidden] float32: the last
// layer's token vectors pooled and normalised as o says (see SentenceEmbeddings in pooling.go). Only
// the embeddings and the encoder layers run (no pooler, no head). Safe for concurrent use: calls run
// one at a time.
func (m *Model) SentenceEmbeddings(b Batch, o EmbedOptions) (*tensors.Tensor, error) {
	if err := m.Config.Check(b); err != nil {
		return nil, err
	}
	if o.Pooling != MeanPooling && o.Pooling != CLSPooling {
		return nil, fmt.Errorf("bert.Model.SentenceEmbeddings: unknown pooling %d", o.Pooling)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	exec := m.embed[o]
	if exec == nil {
		var err error
		exec, err = model.NewExec(m.Backend, m.Store, func(scope *model.Scope, ids, types, mask *Node) *Node {
			out := EncodeSequence(scope.In("bert"), m.Config, ids, types, mask)
			return SentenceEmbeddings(out.Sequence, mask, o)
		})
		if err != nil {
			return nil, fmt.Errorf("bert.Model.SentenceEmbeddings: %w", err)
		}
		if m.embed == nil {
			m.embed = map[EmbedOptions]*model.Exec{}
		}
		m.embed[o] = exec
	}
	var out *tensors.Tensor
	err := transformer.Catch("bert.Model.SentenceEmbeddings", func() error {
		var err error
		out, err = exec.Call1(tensors.FromValue(b.InputIDs), tensors.FromValue(b.TokenTypeIDs), tensors.FromValue(b.AttentionMask))
		return err
	})
	return out, err
}

// ExportHF writes the model as a Hugging Face directory (config.json, model.safetensors); see
// the package function ExportHF.
func (m *Model) ExportHF(dir string) error {
	return ExportHF(dir, m.Store, m.Config, m.Head, m.NumLabels)
}
