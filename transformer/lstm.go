package transformer

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// LSTM is a one-layer LSTM (Hochreiter & Schmidhuber, 1997) reading token ids, the recurrent
// baseline of chapter 14 (Transformer vs RNN on long-range dependencies). With h₀ = c₀ = 0, for
// each token x_t (gates in PyTorch's order i, f, g, o):
//
//	z_t = E[x_t]·W_x + b + h_{t−1}·W_h        [batch, 4H]
//	i = σ(z_i)   f = σ(z_f)   g = tanh(z_g)   o = σ(z_o)
//	c_t = f ⊙ c_{t−1} + i ⊙ g                  the cell: the only path through time
//	h_t = o ⊙ tanh(c_t)
//
// The state (h, c) is 2·H numbers per sequence whatever the length: that is what an RNN carries
// from one token to the next, and all it can remember of the past.
//
// The graph is unrolled over the sequence, one step per token. Unlike GoMLX's ml/layers/lstm, the
// input projection is not computed for the whole sequence and then sliced per step — the gradient
// of each such slice is a zero-padded tensor of the whole sequence, which makes the backward pass
// O(T²) (measured on the pure-Go backend: 6.6 s per training step at T = 257, batch 32, H = 64,
// against 0.18 s here). Instead the token table is projected once, T = E·W_x + b [V, 4H], and each
// step gathers its rows, whose gradient is a scatter into the small table.
//
// Variables (under the given scope):
//
//	embed/weight      [V, E]    N(0, 1/E), as Embed
//	input/weight      [E, 4H]   W_x, U(±1/√H) as PyTorch
//	recurrent/weight  [H, 4H]   W_h, U(±1/√H)
//	bias              [4H]      zero
type LSTM struct {
	Vocab, Embed, Hidden int
}

// Validate reports the first size that is not positive.
func (l LSTM) Validate() error {
	switch {
	case l.Vocab <= 0:
		return fmt.Errorf("transformer.LSTM: Vocab %d must be > 0", l.Vocab)
	case l.Embed <= 0:
		return fmt.Errorf("transformer.LSTM: Embed %d must be > 0", l.Embed)
	case l.Hidden <= 0:
		return fmt.Errorf("transformer.LSTM: Hidden %d must be > 0", l.Hidden)
	}
	return nil
}

// ParamCount is V·E + E·4H + H·4H + 4H.
func (l LSTM) ParamCount() int {
	return l.Vocab*l.Embed + 4*l.Hidden*(l.Embed+l.Hidden+1)
}

// StateFloats is the size of the recurrent state (h and c) of one sequence: 2·H, at any length.
func (l LSTM) StateFloats() int { return 2 * l.Hidden }

// table returns T = E·W_x + b [V, 4H] and W_h [H, 4H].
func (l LSTM) table(scope *model.Scope, g *Graph) (table, wh *Node) {
	if err := l.Validate(); err != nil {
		panic(err)
	}
	H := l.Hidden
	emb := scope.In("embed").WithInitializer(initializer.RandomNormalFn(scope, 1/math.Sqrt(float64(l.Embed)))).
		VariableWithShape("weight", shapes.Make(dtypes.Float32, l.Vocab, l.Embed)).NodeValue(g)
	bound := 1 / math.Sqrt(float64(H))
	uniform := initializer.RandomUniformFn(scope, -bound, bound)
	wx := scope.In("input").WithInitializer(uniform).VariableWithShape("weight", shapes.Make(dtypes.Float32, l.Embed, 4*H)).NodeValue(g)
	wh = scope.In("recurrent").WithInitializer(uniform).VariableWithShape("weight", shapes.Make(dtypes.Float32, H, 4*H)).NodeValue(g)
	b := scope.WithInitializer(initializer.Zero).VariableWithShape("bias", shapes.Make(dtypes.Float32, 4*H)).NodeValue(g)
	return Add(MatMul(emb, wx), InsertAxes(b, 0)), wh
}

// cell is one step: projected input rows zx [B, 4H], state (h, c) → new state.
func (l LSTM) cell(zx, wh, h, c *Node) (*Node, *Node) {
	H := l.Hidden
	z := Add(zx, MatMul(h, wh)) // [B, 4H]
	gate := func(k int) *Node { return SliceAxis(z, -1, AxisRange(k*H, (k+1)*H)) }
	i, f, g, o := Sigmoid(gate(0)), Sigmoid(gate(1)), Tanh(gate(2)), Sigmoid(gate(3))
	c = Add(Mul(f, c), Mul(i, g))
	return Mul(o, Tanh(c)), c
}

// Run reads tokens [batch, seq] (int) from the zero state and returns the final state h, c
// [batch, H].
func (l LSTM) Run(scope *model.Scope, tokens *Node) (h, c *Node) {
	_, h, c = l.run(scope, tokens, false)
	return h, c
}

// States is Run that also returns h_t for every position, [batch, seq, H] (for a per-token head).
func (l LSTM) States(scope *model.Scope, tokens *Node) (states, h, c *Node) {
	return l.run(scope, tokens, true)
}

func (l LSTM) run(scope *model.Scope, tokens *Node, keep bool) (states, h, c *Node) {
	g := tokens.Graph()
	if tokens.Rank() != 2 || !tokens.DType().IsInt() {
		panic(fmt.Errorf("transformer.LSTM: tokens must be [batch, seq] integers, got %s", tokens.Shape()))
	}
	B, S := tokens.Shape().Dim(0), tokens.Shape().Dim(1)
	table, wh := l.table(scope, g)
	h = Zeros(g, shapes.Make(dtypes.Float32, B, l.Hidden))
	c = h
	var all []*Node
	for t := range S {
		zx := Gather(table, SliceAxis(tokens, 1, AxisElem(t))) // [B, 4H]: row x_t of the projected table
		h, c = l.cell(zx, wh, h, c)
		if keep {
			all = append(all, h)
		}
	}
	if keep {
		states = Stack(all, 1) // [B, S, H]
	}
	return states, h, c
}

// Step advances the state by one token per sequence, for generation: tokens [batch] (int), h, c
// [batch, H] → the new h, c. It uses the variables Run creates (same scope).
func (l LSTM) Step(scope *model.Scope, tokens, h, c *Node) (*Node, *Node) {
	table, wh := l.table(scope, tokens.Graph())
	return l.cell(Gather(table, InsertAxes(tokens, -1)), wh, h, c)
}
