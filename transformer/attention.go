package transformer

import (
	"math"

	. "github.com/gomlx/gomlx/core/graph"
)

// AttentionWeights returns softmax(Q·Kᵀ/√d_k + mask), the [batch, heads, querySeq, keySeq]
// matrix whose row i says how much query i takes from each key.
//
//	query: [batch, querySeq, heads, headDim]
//	key:   [batch, keySeq,   heads, headDim]
//	mask:  bool, broadcastable to [batch, heads, querySeq, keySeq], or nil (see CausalMask, PaddingMask);
//	       a mask that does not fit panics with CheckMask's error
//
// The mask is applied by replacing the forbidden scores with the most negative finite float
// before the softmax, which is the same as adding −∞ but never produces NaN: a row whose keys are
// all masked becomes uniform instead (PyTorch returns NaN there).
func AttentionWeights(query, key, mask *Node) *Node {
	headDim := query.Shape().Dim(-1)
	// Einsum contracts the head dimension d for every (batch b, head h, query q, key k).
	scores := Einsum("bqhd,bkhd->bhqk", query, key)           // [batch, heads, querySeq, keySeq]
	scores = MulScalar(scores, 1/math.Sqrt(float64(headDim))) // keeps the logits' variance ≈ 1
	if mask != nil {
		d := scores.Shape().Dimensions
		if err := CheckMask(mask.Shape(), d[0], d[1], d[2], d[3]); err != nil {
			panic(err) // a clear message; Catch turns it into an error at the API boundary
		}
		veryNegative := ConstAsDType(scores.Graph(), scores.DType(), scores.DType().LowestValue())
		mask = BroadcastToDims(mask, scores.Shape().Dimensions...)
		scores = Where(mask, scores, BroadcastToDims(veryNegative, scores.Shape().Dimensions...))
	}
	// Softmax subtracts each row's maximum before exp, so large scores cannot overflow.
	return Softmax(scores, -1)
}

// ApplyAttention mixes the values with the weights: out[b,q,h,:] = Σ_k weights[b,h,q,k]·value[b,k,h,:].
//
//	weights: [batch, heads, querySeq, keySeq]
//	value:   [batch, keySeq, heads, headDim]
//	result:  [batch, querySeq, heads, headDim]
func ApplyAttention(weights, value *Node) *Node {
	return Einsum("bhqk,bkhd->bqhd", weights, value)
}

// ScaledDotProductAttention is softmax(Q·Kᵀ/√d_k + mask)·V, from "Attention Is All You Need" (eq. 1).
// It returns the output [batch, querySeq, heads, headDim] and the weights
// [batch, heads, querySeq, keySeq] (useful for drawing attention maps). Shapes as in AttentionWeights.
func ScaledDotProductAttention(query, key, value, mask *Node) (output, weights *Node) {
	weights = AttentionWeights(query, key, mask)
	return ApplyAttention(weights, value), weights
}
