package transformer

import (
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// MultiHeadAttention is MultiHead(Q, K, V) = Concat(head_1 … head_h)·W_O, with
// head_i = Attention(Q·W_Q,i, K·W_K,i, V·W_V,i), from "Attention Is All You Need" §3.2.2.
//
//	query:      [batch, querySeq, width]  (the decoder states in cross-attention)
//	key, value: [batch, keySeq, width]    (the same node as query in self-attention; the encoder output in cross-attention)
//	mask:       bool, broadcastable to [batch, heads, querySeq, keySeq], or nil
//	output:     [batch, querySeq, width]
//	weights:    [batch, heads, querySeq, keySeq], after the softmax and before dropout
//
// The h heads are computed at once: one Linear projects to width = heads·headDim features, which
// are then read as [heads, headDim] — that reshape is the whole "split into heads" step, and the
// reverse reshape after attention is the "concat". Dropout with the given rate is applied to the
// attention weights while training.
//
// Variables, under scope, in PyTorch nn.Linear layout (weight [out, in], bias [out]):
// "query", "key", "value", "output". They are BERT's attention.self.{query,key,value} and
// attention.output.dense; PyTorch's nn.MultiheadAttention stacks the first three as
// in_proj_weight = [W_query; W_key; W_value] and calls the last out_proj.
func MultiHeadAttention(scope *model.Scope, query, key, value, mask *Node, numHeads int, dropout float64) (output, weights *Node) {
	batch, querySeq, width := query.Shape().Dim(0), query.Shape().Dim(1), query.Shape().Dim(2)
	keySeq := key.Shape().Dim(1)
	if width%numHeads != 0 {
		panic(errorf("MultiHeadAttention: width %d is not divisible by %d heads", width, numHeads))
	}
	headDim := width / numHeads

	q := Reshape(Linear(scope.In("query"), query, width, true), batch, querySeq, numHeads, headDim) // [batch, querySeq, heads, headDim]
	k := Reshape(Linear(scope.In("key"), key, width, true), batch, keySeq, numHeads, headDim)       // [batch, keySeq, heads, headDim]
	v := Reshape(Linear(scope.In("value"), value, width, true), batch, keySeq, numHeads, headDim)   // [batch, keySeq, heads, headDim]

	weights = AttentionWeightsFor(q, k, mask, scope.IsTraining(query.Graph())) // [batch, heads, querySeq, keySeq]
	attended := ApplyAttention(Dropout(scope, weights, dropout), v)
	merged := Reshape(attended, batch, querySeq, width) // concat the heads: [batch, querySeq, width]
	return Linear(scope.In("output"), merged, width, true), weights
}
