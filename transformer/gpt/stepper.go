package gpt

import (
	"fmt"

	"github.com/bert2gpt/bert2gpt/internal/memory"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Stepper feeds a batch of sequences through the model one position at a time and keeps their KV
// cache between calls: the loop inside Generate, for programs that decode their own way (a batch
// of prompts sampled together, logits edited before sampling):
//
//	s, err := m.NewStepper(batch, maxLen)
//	defer s.Close()
//	logits, err := s.Next(tokens) // tokens [batch] at position s.Pos() → logits [batch][V] for the next one
//
// All sequences of a batch are at the same position. The step graph (Step) is compiled once per
// cache length and shared by every Stepper and Generate call of the model.
type Stepper struct {
	m      *Model
	exec   *model.Exec
	cache  []*tensors.Tensor // CacheShapes(batch, maxLen)
	batch  int
	maxLen int
	pos    int
}

// NewStepper returns a Stepper for batch sequences of at most maxLen positions (1 ≤ maxLen ≤
// n_positions); a cache that cannot fit in the available memory (Config.CacheBytes) is an error.
func (m *Model) NewStepper(batch, maxLen int) (*Stepper, error) {
	switch {
	case batch < 1:
		return nil, fmt.Errorf("gpt: stepper batch %d must be ≥ 1", batch)
	case maxLen < 1 || maxLen > m.Config.NPositions:
		return nil, fmt.Errorf("gpt: stepper length %d must be in [1, n_positions = %d]", maxLen, m.Config.NPositions)
	}
	if err := memory.Check(fmt.Sprintf("gpt: a KV cache of batch %d × %d positions", batch, maxLen), m.Config.CacheBytes(batch, maxLen)); err != nil {
		return nil, err
	}
	exec, err := m.stepExec(maxLen)
	if err != nil {
		return nil, err
	}
	args := append([]shapes.Shape{tokenShape(batch, 1), scalarInt32}, m.Config.CacheShapes(batch, maxLen)...)
	if err := m.prepare(exec, args...); err != nil { // the graph is built under the model's lock
		return nil, err
	}
	return &Stepper{m: m, exec: exec, cache: m.Config.NewCache(batch, maxLen), batch: batch, maxLen: maxLen}, nil
}

// Pos is the position the next call to Next fills (the number of tokens fed so far).
func (s *Stepper) Pos() int { return s.pos }

// Len is the cache length: how many positions the stepper can hold.
func (s *Stepper) Len() int { return s.maxLen }

// Next feeds one token per sequence at position Pos() and returns the logits of the next token,
// [batch][V]. It fails when len(tokens) is not the batch size or the cache is full.
func (s *Stepper) Next(tokens []int32) ([][]float32, error) {
	if len(tokens) != s.batch {
		return nil, fmt.Errorf("gpt: stepper got %d tokens for a batch of %d", len(tokens), s.batch)
	}
	if s.pos >= s.maxLen {
		return nil, fmt.Errorf("gpt: stepper cache is full (%d positions); Reset it or use a longer one", s.maxLen)
	}
	column := make([][]int32, s.batch) // [batch, 1]
	for b, t := range tokens {
		column[b] = []int32{t}
	}
	args := []any{tensors.FromValue(column), tensors.FromValue(int32(s.pos))}
	for _, t := range s.cache {
		// Donated: the step may write the new slot in place instead of copying the cache.
		d, err := DonateTensorBuffer(t, s.m.Backend, 0)
		if err != nil {
			return nil, err
		}
		args = append(args, d)
	}
	outs, err := s.exec.Call(args...)
	if err != nil {
		return nil, err
	}
	s.cache = outs[1:]
	s.pos++
	logits := outs[0].Value().([][]float32)
	_ = outs[0].FinalizeAll()
	return logits, nil
}

// Reset empties the cache: the next call to Next is at position 0.
func (s *Stepper) Reset() {
	finalizeAll(s.cache)
	s.cache = s.m.Config.NewCache(s.batch, s.maxLen)
	s.pos = 0
}

// Close frees the cache; the Stepper must not be used afterwards.
func (s *Stepper) Close() {
	finalizeAll(s.cache)
	s.cache = nil
}

// finalizeAll frees the tensors' memory now rather than at the next garbage collection.
func finalizeAll(ts []*tensors.Tensor) {
	for _, t := range ts {
		_ = t.FinalizeAll()
	}
}
