package transformer

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
)

// Masks in this package are boolean nodes where true means "this query may look at this key".
// They have rank 4 and broadcast against the attention scores [batch, heads, querySeq, keySeq]:
// a padding mask is [batch, 1, 1, keySeq], a causal mask is [1, 1, querySeq, keySeq].
//
// (PyTorch's key_padding_mask uses the opposite convention: true means "ignore this key".)

// CausalMask returns the lower-triangular mask [1, 1, querySeq, keySeq]: query i may attend to
// key j only when j ≤ i + (keySeq − querySeq). With querySeq == keySeq that is simply j ≤ i, so a
// token never sees the tokens after it — the "masked" self-attention of the decoder.
func CausalMask(g *Graph, querySeq, keySeq int) *Node {
	shape := shapes.Make(dtypes.Int32, querySeq, keySeq)
	rows := Iota(g, shape, 0) // query index i
	cols := Iota(g, shape, 1) // key index j
	allowed := LessOrEqual(cols, AddScalar(rows, keySeq-querySeq))
	return Reshape(allowed, 1, 1, querySeq, keySeq)
}

// PaddingMask turns valid [batch, keySeq] (true for real tokens, false for padding) into the key
// mask [batch, 1, 1, keySeq]: every query ignores the padded keys.
func PaddingMask(valid *Node) *Node {
	if valid.Rank() != 2 || valid.DType() != dtypes.Bool {
		panic(fmt.Sprintf("transformer.PaddingMask: want a bool [batch, keySeq] node, got %s", valid.Shape()))
	}
	return InsertAxes(valid, 1, 1)
}

// TokenPaddingMask is PaddingMask(tokens ≠ padID) for integer tokens [batch, seq].
func TokenPaddingMask(tokens *Node, padID int) *Node {
	return PaddingMask(NotEqual(tokens, ConstAsDType(tokens.Graph(), tokens.DType(), padID)))
}

// CombineMasks is the logical AND of the given masks (nil entries are skipped), broadcast to a
// common shape: CombineMasks(padding, causal) lets query i see key j only if j is a real token
// and j ≤ i. It returns nil when every mask is nil (attend everywhere).
func CombineMasks(masks ...*Node) *Node {
	var out *Node
	for _, m := range masks {
		switch {
		case m == nil:
		case out == nil:
			out = m
		default:
			dims := make([]int, out.Rank())
			for i := range dims {
				dims[i] = max(out.Shape().Dim(i), m.Shape().Dim(i))
			}
			out = LogicalAnd(BroadcastToDims(out, dims...), BroadcastToDims(m, dims...))
		}
	}
	return out
}

// CheckMask reports, as an error naming the values, whether a mask of the given shape can be
// used with attention scores [batch, heads, querySeq, keySeq]: it must be a rank-4 bool whose
// every axis is 1 or equal to the matching score axis.
func CheckMask(mask shapes.Shape, batch, heads, querySeq, keySeq int) error {
	if mask.DType != dtypes.Bool {
		return fmt.Errorf("attention mask must be bool, got %s", mask)
	}
	want := []int{batch, heads, querySeq, keySeq}
	names := []string{"batch", "heads", "querySeq", "keySeq"}
	if mask.Rank() != 4 {
		return fmt.Errorf("attention mask must have rank 4 [batch|1, heads|1, querySeq|1, keySeq], got shape %s", mask)
	}
	for i, w := range want {
		if d := mask.Dim(i); d != 1 && d != w {
			return fmt.Errorf("attention mask axis %d (%s) is %d, want 1 or %d (mask shape %s, scores [%d, %d, %d, %d])",
				i, names[i], d, w, mask, batch, heads, querySeq, keySeq)
		}
	}
	return nil
}
