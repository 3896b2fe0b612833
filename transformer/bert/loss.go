package bert

import (
	"github.com/bert2gpt/bert2gpt/transformer"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
)

// IgnoreIndex marks positions without an MLM target (PyTorch's cross_entropy ignore_index).
const IgnoreIndex = -100

// MaskedLMLoss is BERT's masked-LM loss, the cross-entropy averaged over the predicted positions
// only (HF: cross_entropy(ignore_index=−100)):
//
//	L_MLM = Σ_t w_t·(−log p(label_t)) / Σ_t w_t
//
// logits [batch, seq, vocab]; labels integer [batch, seq] (IgnoreIndex where nothing is
// predicted); weights float [batch, seq] (1 at predicted positions, 0 elsewhere) or nil to derive
// them from labels ≠ IgnoreIndex. With no predicted position at all the loss is 0.
func MaskedLMLoss(logits, labels, weights *Node) *Node {
	weights = mlmWeights(labels, weights, logits.DType())
	total := ReduceAllSum(Mul(transformer.TokenNLL(logits, labels), weights))
	count := ReduceAllSum(weights)
	return Div(total, Max(count, OnesLike(count)))
}

// mlmWeights returns weights, or labels ≠ IgnoreIndex as 0/1 when weights is nil.
func mlmWeights(labels, weights *Node, dtype dtypes.DType) *Node {
	if weights != nil {
		return ConvertDType(weights, dtype)
	}
	return ConvertDType(NotEqual(labels, ConstAsDType(labels.Graph(), labels.DType(), IgnoreIndex)), dtype)
}

// NSPLoss is the next-sentence cross-entropy averaged over the batch: logits [batch, 2],
// labels integer [batch] (0: B follows A, 1: B is random).
func NSPLoss(logits, labels *Node) *Node {
	return ReduceAllMean(transformer.TokenNLL(logits, labels))
}

// evalSums returns, for one batch, the sums the validation metrics are made of (float32 scalars):
// Σ w·NLL_MLM, Σ w, Σ w·[argmax = label], Σ NLL_NSP, Σ [argmax = label]_NSP, batch size.
func evalSums(mlm, nsp, labels, weights, nspLabels *Node) []*Node {
	w := mlmWeights(labels, weights, mlm.DType())
	correct := func(logits, labels *Node) *Node {
		return ConvertDType(Equal(ArgMax(logits, -1, labels.DType()), labels), logits.DType())
	}
	batch := nsp.Shape().Dim(0)
	return []*Node{
		ReduceAllSum(Mul(transformer.TokenNLL(mlm, labels), w)),
		ReduceAllSum(w),
		ReduceAllSum(Mul(correct(mlm, labels), w)),
		ReduceAllSum(transformer.TokenNLL(nsp, nspLabels)),
		ReduceAllSum(correct(nsp, nspLabels)),
		Scalar(mlm.Graph(), mlm.DType(), float64(batch)),
	}
}
