package gpt

import (
	"fmt"
	"sync"

	"github.com/bert2gpt/bert2gpt/backend/weights"
	"github.com/bert2gpt/bert2gpt/internal/memory"
	"github.com/bert2gpt/bert2gpt/transformer"
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Model is a GPT language model: its config, the variables (in Store) and compiled executors.
// Its inference methods (Logits, Loss, Generate, NewStepper) are safe for concurrent use: graphs
// are built under a lock and run concurrently (see concurrency.go); training must not overlap.
// Variables are created (GPT-2 initialisation) on first use unless loaded (LoadHF, LoadCheckpoint).
type Model struct {
	Config  Config
	Store   *model.Store
	Backend compute.Backend

	mu     sync.Mutex // guards the executor fields and every graph build (prepare)
	logits *model.Exec
	loss   *model.Exec         // Loss, created on first use
	steps  map[int]*model.Exec // KV-cache step executors by cache length
	window map[int]*model.Exec // uncached "full window" executors by window length
}

// New returns a model with fresh variables (created on first use) after validating the config
// and checking that its float32 weights fit in the available memory (internal/memory).
func New(backend compute.Backend, c Config) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := memory.Check(fmt.Sprintf("gpt.New: a model of %d parameters", ParamCount(c)), c.WeightBytes()); err != nil {
		return nil, err
	}
	return newWithStore(backend, c, model.NewStore())
}

func newWithStore(backend compute.Backend, c Config, store *model.Store) (*Model, error) {
	backend = weights.AsParameters(backend) // cached executors must see trained weights
	m := &Model{Config: c, Store: store, Backend: backend, steps: map[int]*model.Exec{}, window: map[int]*model.Exec{}}
	exec, err := model.NewExec(backend, store, func(scope *model.Scope, tokens *Node) *Node {
		return Logits(scope, c, tokens)
	})
	if err != nil {
		return nil, fmt.Errorf("gpt.New: %w", err)
	}
	m.logits = exec
	return m, nil
}

// CheckTokens verifies a batch of token rows: same length, 1 ≤ length ≤ n_positions, ids in [0, V)
// (see transformer.IDTable).
func (c Config) CheckTokens(tokens [][]int32) error {
	return transformer.IDTable{Name: "gpt: tokens", MaxLen: c.NPositions, MaxLenName: "n_positions",
		Limit: c.VocabSize, LimitName: "vocab_size"}.Check(tokens)
}

// Logits returns the next-token logits [batch, seq, V] for tokens [batch][seq] (float32).
func (m *Model) Logits(tokens [][]int32) (*tensors.Tensor, error) {
	if err := m.Config.CheckTokens(tokens); err != nil {
		return nil, err
	}
	var out *tensors.Tensor
	err := transformer.Catch("gpt.Model.Logits", func() error {
		if err := m.prepare(m.logits, tokenShape(len(tokens), len(tokens[0]))); err != nil {
			return err
		}
		var err error
		out, err = m.logits.Call1(tensors.FromValue(tokens))
		return err
	})
	return out, err
}

// NumParams returns the number of parameters in the store under the model's variables (after
// they exist), excluding optimizer state.
func (m *Model) NumParams() int64 {
	var n int64
	for v := range m.Store.IterVariables() {
		if isModelVariable(v.Path()) {
			n += int64(v.Shape().Size())
		}
	}
	return n
}
