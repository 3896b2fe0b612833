package bert

import (
	. "github.com/gomlx/gomlx/core/graph"
)

// Pooling is how a sentence vector is made from the token vectors of the last layer.
type Pooling int

const (
	// MeanPooling averages the vectors of the real tokens ([CLS] and [SEP] included, padding not):
	// sentence-transformers' pooling_mode_mean_tokens, what all-MiniLM-L6-v2 was trained with.
	MeanPooling Pooling = iota
	// CLSPooling takes the vector of [CLS] (position 0) as it is: pooling_mode_cls_token. (It is
	// not the pooler's tanh(W·h_[CLS] + b), which the NSP head was trained on.)
	CLSPooling
)

// String is the sentence-transformers name of the pooling mode.
func (p Pooling) String() string {
	if p == CLSPooling {
		return "cls"
	}
	return "mean"
}

// EmbedOptions say how sentence embeddings are made: the pooling, then, if Normalize, division by
// the Euclidean norm (so that the dot product of two embeddings is their cosine similarity).
type EmbedOptions struct {
	Pooling   Pooling
	Normalize bool
}

// MaskedMean is mean pooling: sequence [batch, seq, hidden] and attentionMask [batch, seq] (1 for a
// token, 0 for padding) → [batch, hidden],
//
//	e_b = Σ_t m_bt·h_bt / max(Σ_t m_bt, 1e-9)
//
// as sentence-transformers computes it.
func MaskedMean(sequence, attentionMask *Node) *Node {
	m := ConvertDType(attentionMask, sequence.DType())    // [batch, seq]
	sum := ReduceSum(Mul(sequence, InsertAxes(m, -1)), 1) // [batch, hidden]
	count := MaxScalar(ReduceSum(m, 1), 1e-9)             // [batch]
	return Div(sum, InsertAxes(count, -1))
}

// FirstToken is the vector of the first token ([CLS]): [batch, seq, hidden] → [batch, hidden].
func FirstToken(sequence *Node) *Node {
	return Squeeze(Slice(sequence, AxisRange(), AxisElem(0)), 1)
}

// SentenceEmbeddings is the sentence vector of each row: the last layer's token vectors pooled as
// o.Pooling says, normalised if o.Normalize. sequence [batch, seq, hidden], attentionMask
// [batch, seq] → [batch, hidden].
func SentenceEmbeddings(sequence, attentionMask *Node, o EmbedOptions) *Node {
	var e *Node
	if o.Pooling == CLSPooling {
		e = FirstToken(sequence)
	} else {
		e = MaskedMean(sequence, attentionMask)
	}
	if o.Normalize {
		e = L2Normalize(e, -1) // x/‖x‖₂, a zero vector stays zero (F.normalize: x/max(‖x‖₂, 1e-12))
	}
	return e
}
