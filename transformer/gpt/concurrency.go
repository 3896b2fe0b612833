package gpt

import (
	"github.com/bert2gpt/bert2gpt/transformer"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/ml/model"
)

// Concurrency. A Model compiles its executors lazily (one step graph per cache length, one window
// graph per window length, one graph per batch shape of Logits and Loss), and building a graph
// creates, initialises and annotates variables in the shared model.Store, which is not safe for
// concurrent use: with 4 goroutines generating on a fresh model the race detector reported 9 races
// (129 with the graph builds), and the goroutines initialised the weights several times, so each
// saw different random weights.
//
// So every graph build happens under the model's lock (Model.mu): the executor maps are read and
// filled under it, and prepare compiles a graph for the shapes of the coming call and initialises
// the variables it created before the lock is released. Compiled graphs then run without the lock,
// concurrently. The cost per call is a lock and a cache lookup; the first call of a shape compiles
// while other new shapes wait.
//
// Inference (Logits, Loss, Generate, NewStepper; one Stepper per goroutine) is safe for concurrent
// use. Training (Trainer, Train) changes the variables and must not overlap with anything else.

// prepare compiles exec for calls with arguments of the given shapes, and initialises the variables
// that compilation created, under the model's lock.
func (m *Model) prepare(exec *model.Exec, args ...shapes.Shape) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return transformer.Catch("gpt: building the graph", func() error {
		if _, err := exec.Compile(args...); err != nil {
			return err
		}
		// Only when some variable has no value: InitializeVariables also writes the store's flag
		// that running graphs read.
		for v := range m.Store.IterVariables() {
			if !v.HasValue() {
				return m.Store.InitializeVariables(m.Backend, nil)
			}
		}
		return nil
	})
}

// tokenShape is the shape of a [batch, seq] int32 token argument.
func tokenShape(batch, seq int) shapes.Shape { return shapes.Make(dtypes.Int32, batch, seq) }

// scalarInt32 is the shape of a position argument.
var scalarInt32 = shapes.Make(dtypes.Int32)
