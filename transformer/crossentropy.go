package transformer

import (
	. "github.com/gomlx/gomlx/core/graph"
)

// TokenNLL is the cross-entropy of each position, the negative log-likelihood of its label:
//
//	nll = −log softmax(logits)[label] = logsumexp(logits) − logits[label]
//	logsumexp(x) = m + log Σ_v exp(x_v − m),   m = max_v x_v   (so that exp cannot overflow)
//
// logits [..., vocab] float; labels [...] integer in [0, vocab) → nll [...]. Callers weight out the
// positions to ignore; their labels (e.g. −100) pick nothing, so they never crash.
//
// Its gradient, which autodiff derives from these few operations, is softmax(logits) − onehot(label).
// Written this way rather than as LogSoftmax(logits) times a one-hot vector, the forward and backward
// graphs make fewer passes over [..., vocab], for a language model the largest tensor there is (768 ×
// 9,589 floats for a batch of the Tang-poem GPT).
func TokenNLL(logits, labels *Node) *Node {
	m := StopGradient(ReduceAndKeep(logits, ReduceMax, -1)) // [..., 1]; any constant works, the max is safe
	sumExp := ReduceSum(Exp(Sub(logits, m)), -1)            // [...], in [1, vocab]
	logSumExp := Add(Squeeze(m, -1), Log(sumExp))           // [...]
	return Sub(logSumExp, pickLast(logits, labels))
}

// pickLast returns x[..., labels[...]]: x [..., n], labels [...] integer → [...] (0 for a label
// outside [0, n)). It is a sum against a one-hot mask rather than a Gather: XLA fuses the mask into
// the gradient's element-wise pass, while a Gather's gradient is a scatter into a zero tensor the
// size of x (7.4M floats for a Tang-poem GPT batch) that is then added in — measured, the Tang
// training step on XLA is ~9% faster this way (on the pure-Go backend ~5% slower).
func pickLast(x, labels *Node) *Node {
	return ReduceSum(Mul(x, OneHot(labels, x.Shape().Dim(-1), x.DType())), -1)
}
