package transformer

import (
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// A PositionEncoding tells a model where each token is — the one seam through which every model
// here (seq2seq, gpt, bert) gets its positions. There are two kinds:
//
//   - additive encodings (SinusoidalEncoding, LearnedEncoding) return a table row per position,
//     added to the token embeddings once, at the bottom of the model;
//   - rotary encodings (RotaryEncoding, RoPE) add nothing there and instead rotate the queries and
//     keys of every attention layer, so that q_m·k_n depends on m − n only.
//
// A model calls Additive once and Rotate in every attention layer; each method of the other kind
// is a no-op. positions are int32 [seq] (0, 1, …, or a KV-cache step's single position).
// Adding an encoding means implementing these two methods.
type PositionEncoding interface {
	// Additive returns the term [seq, width] (in dtype) to add to the token embeddings at
	// positions, creating its variables (if any) under scope; nil for a rotary encoding.
	Additive(scope *model.Scope, positions *Node, width int, dtype dtypes.DType) *Node
	// Rotate returns the queries and keys [batch, seq, heads, headDim] at positions, rotated;
	// additive encodings return them unchanged.
	Rotate(q, k, positions *Node) (*Node, *Node)
}

// SinusoidalEncoding is the fixed table of "Attention Is All You Need" §3.5 (SinusoidalTable),
// for positions < MaxLen.
type SinusoidalEncoding struct{ MaxLen int }

// Additive implements PositionEncoding: rows positions of SinusoidalPositions.
func (e SinusoidalEncoding) Additive(_ *model.Scope, positions *Node, width int, dtype dtypes.DType) *Node {
	checkPositions("SinusoidalEncoding", positions, e.MaxLen)
	table := SinusoidalPositions(positions.Graph(), dtype, e.MaxLen, width) // [MaxLen, width], a constant
	return Gather(table, InsertAxes(positions, -1))
}

// Rotate implements PositionEncoding (no rotation).
func (SinusoidalEncoding) Rotate(q, k, _ *Node) (*Node, *Node) { return q, k }

// LearnedEncoding is a trainable table "weight" [MaxLen, width] ~ N(0, Std²), one row per position
// (BERT's position_embeddings, GPT-2's wpe).
type LearnedEncoding struct {
	MaxLen int
	Std    float64
}

// Additive implements PositionEncoding: rows positions of the table (created under scope).
func (e LearnedEncoding) Additive(scope *model.Scope, positions *Node, width int, dtype dtypes.DType) *Node {
	checkPositions("LearnedEncoding", positions, e.MaxLen)
	table := scope.WithInitializer(initializer.RandomNormalFn(scope, e.Std)).
		VariableWithShape("weight", shapes.Make(dtype, e.MaxLen, width)).NodeValue(positions.Graph()) // [MaxLen, width]
	return Gather(table, InsertAxes(positions, -1))
}

// Rotate implements PositionEncoding (no rotation).
func (LearnedEncoding) Rotate(q, k, _ *Node) (*Node, *Node) { return q, k }

// RotaryEncoding is RoPE (see RoPE) for positions < MaxLen with frequency base Base (usually
// 10000): nothing is added to the embeddings, no variable is created; q and k are rotated.
type RotaryEncoding struct {
	MaxLen int
	Base   float64
}

// Additive implements PositionEncoding: a rotary encoding adds nothing.
func (RotaryEncoding) Additive(*model.Scope, *Node, int, dtypes.DType) *Node { return nil }

// Rotate implements PositionEncoding: RoPEAt on the queries and on the keys.
func (e RotaryEncoding) Rotate(q, k, positions *Node) (*Node, *Node) {
	return RoPEAt(q, positions, e.MaxLen, e.Base), RoPEAt(k, positions, e.MaxLen, e.Base)
}

// checkPositions panics (a clear message; Catch turns it into an error at the API boundary) when
// more positions are asked for than the table has: a gather past its end would not fail, it would
// silently repeat the last row on some backends.
func checkPositions(what string, positions *Node, maxLen int) {
	if n := positions.Shape().Dim(-1); n > maxLen {
		panic(errorf("%s: sequence length %d is longer than the position table (%d)", what, n, maxLen))
	}
}
