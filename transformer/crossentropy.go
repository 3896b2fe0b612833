package transformer

import (
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
)

// TokenNLL is the cross-entropy of each position, the negative log-likelihood of its label:
//
//	nll = −log softmax(logits)[label] = logsumexp(logits) − logits[label]
//	logsumexp(x) = m + log Σ_v exp(x_v − m),   m = max_v x_v   (so that exp cannot overflow)
//
// logits [..., vocab] float; labels [...] integer in [0, vocab) → nll [...]. Callers weight out the
// positions to ignore; their labels (e.g. −100) are clamped into the range, so they never crash.
//
// Its gradient, which autodiff derives from these few operations, is softmax(logits) − onehot(label).
// Written this way rather than as LogSoftmax(logits) times a one-hot vector, no [..., vocab] tensor
// other than exp(x − m) is built: for a language model that is the largest tensor there is (768 ×
// 9,589 floats for a batch of the Tang-poem GPT), and each pass over it costs.
func TokenNLL(logits, labels *Node) *Node {
	m := StopGradient(ReduceAndKeep(logits, ReduceMax, -1)) // [..., 1]; any constant works, the max is safe
	sumExp := ReduceSum(Exp(Sub(logits, m)), -1)            // [...], in [1, vocab]
	logSumExp := Add(Squeeze(m, -1), Log(sumExp))           // [...]
	return Sub(logSumExp, pickLast(logits, labels))
}

// pickLast returns x[..., labels[...]]: x [..., n], labels [...] integer → [...].
func pickLast(x, labels *Node) *Node {
	n := x.Shape().Dim(-1)
	rows := labels.Shape().Size()
	flat := Reshape(x, rows*n)                                                               // [rows·n]
	row := Iota(x.Graph(), shapes.Make(dtypes.Int32, rows), 0)                               // 0, 1, …, rows−1
	label := MinScalar(MaxScalar(ConvertDType(Reshape(labels, rows), dtypes.Int32), 0), n-1) // clamped into [0, n)
	index := Add(MulScalar(row, n), label)                                                   // row·n + label
	return Reshape(Gather(flat, InsertAxes(index, -1)), labels.Shape().Dimensions...)
}
