package transformer

import (
	"math"

	"github.com/gomlx/compute/dtypes"
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
	return AttentionWeightsFor(query, key, mask, false)
}

// AttentionWeightsFor is AttentionWeights with the softmax chosen for how the graph is used:
// training is scope.IsTraining(g) of the caller (true in a training step's graph). The values are
// the same either way; only the cost differs (see attentionSoftmax).
func AttentionWeightsFor(query, key, mask *Node, training bool) *Node {
	// Einsum contracts the head dimension d for every (batch b, head h, query q, key k).
	scores := Einsum("bqhd,bkhd->bhqk", query, key) // [batch, heads, querySeq, keySeq]
	return scoresToWeights(scores, query.Shape().Dim(-1), mask, training)
}

// HeadsFirstAttentionWeights is AttentionWeights for keys stored heads-first, the layout of a KV
// cache that grows along its sequence axis:
//
//	query: [batch, querySeq, heads, headDim]
//	key:   [batch, heads, keySeq, headDim]
//
// With the heads before the sequence, (batch, heads) are the leading batch axes of the product
// Q·Kᵀ and the backend multiplies the cache where it lies; with the sequence first it would first
// transpose the whole cache, at every generated token.
func HeadsFirstAttentionWeights(query, key, mask *Node) *Node {
	scores := Einsum("bqhd,bhkd->bhqk", query, key) // [batch, heads, querySeq, keySeq]
	return scoresToWeights(scores, query.Shape().Dim(-1), mask, false)
}

// ApplyHeadsFirstAttention is ApplyAttention for values stored heads-first [batch, heads, keySeq,
// headDim] (see HeadsFirstAttentionWeights); the result is [batch, querySeq, heads, headDim].
func ApplyHeadsFirstAttention(weights, value *Node) *Node {
	return Einsum("bhqk,bhkd->bqhd", weights, value)
}

// scoresToWeights scales the scores Q·Kᵀ [batch, heads, querySeq, keySeq] by 1/√d_k, masks them and
// takes the softmax over the keys.
func scoresToWeights(scores *Node, headDim int, mask *Node, training bool) *Node {
	scores = MulScalar(scores, 1/math.Sqrt(float64(headDim))) // keeps the logits' variance ≈ 1
	if mask != nil {
		d := scores.Shape().Dimensions
		if err := CheckMask(mask.Shape(), d[0], d[1], d[2], d[3]); err != nil {
			panic(err) // a clear message; Catch turns it into an error at the API boundary
		}
		veryNegative := ConstAsDType(scores.Graph(), scores.DType(), lowestFinite(scores.DType()))
		mask = BroadcastToDims(mask, scores.Shape().Dimensions...)
		scores = Where(mask, scores, BroadcastToDims(veryNegative, scores.Shape().Dimensions...))
	}
	return attentionSoftmax(scores, training)
}

// attentionSoftmax is softmax over the last axis (the keys). Both paths subtract each row's
// maximum before exp, so large scores cannot overflow:
//
//	softmax(s)ᵢ = exp(sᵢ − max s) / Σⱼ exp(sⱼ − max s)
//
// Why two paths: GoMLX's Softmax runs a backend's fused kernel (one pass, the Go backend has one)
// and, when the graph is differentiated, also builds the formula above for its gradient, so a
// training step would compute every attention softmax twice. A training graph therefore writes the
// formula directly (measured on the pure-Go backend: 4.5% less CPU per nanoGPT training step);
// inference graphs take the fused kernel — in float32 and float64 only: compute v0.1.14's Go
// backend accepts a bfloat16 or float16 FusedSoftmax when the graph is built and fails when it runs
// ("op not implemented"), too late for GoMLX's fallback to the formula (TestMaskInEveryFloatDType).
func attentionSoftmax(scores *Node, training bool) *Node {
	if dt := scores.DType(); !training && (dt == dtypes.Float32 || dt == dtypes.Float64) {
		return Softmax(scores, -1)
	}
	rowMax := StopGradient(ReduceAndKeep(scores, ReduceMax, -1)) // the shift does not change softmax, so no gradient flows through it
	e := Exp(Sub(scores, rowMax))
	return Div(e, ReduceAndKeep(e, ReduceSum, -1))
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

// lowestFinite is the fill for masked scores: the most negative finite value of the scores' dtype
// (float16: −65504), as a float64 that ConstAsDType converts by value. Not dtypes' LowestValue:
// in compute v0.1.14 it is −Inf for floats (a fully masked row becomes NaN), and for bfloat16 and
// float16 it is a typed value whose bits ConstAsDType reads as an integer, so "−Inf" arrived as
// about +65000 and turned the mask inside out (TestMaskInEveryFloatDType, TestConstOfTypedInfinity).
func lowestFinite(dt dtypes.DType) float64 {
	switch dt {
	case dtypes.Float16:
		return -65504
	case dtypes.BFloat16:
		return -3.3895313892515355e38 // −(2 − 2⁻⁷)·2¹²⁷
	case dtypes.Float64:
		return -math.MaxFloat64
	}
	return -math.MaxFloat32
}
