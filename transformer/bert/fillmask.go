package bert

import (
	"fmt"
	"math"
	"sort"

	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
	"github.com/gomlx/gomlx/core/tensors"
)

// Candidate is one proposed token for a [MASK] position.
type Candidate struct {
	Token       string
	ID          int
	Probability float64
}

// MaskPrediction lists the top candidates for one [MASK] position (its index among the tokens
// of the text, [CLS] not counted).
type MaskPrediction struct {
	Position   int
	Candidates []Candidate
}

// FillMask encodes [CLS] text [SEP] with tok, runs the MLM head and returns, for every [MASK]
// in text, the topK tokens by probability softmax(logits) (special tokens excluded).
func (m *Model) FillMask(tok tokenizer.Tokenizer, text string, topK int) ([]MaskPrediction, error) {
	if m.Head != PreTrainingHeads {
		return nil, fmt.Errorf("bert.FillMask: the model has no MLM head")
	}
	if topK < 1 {
		return nil, fmt.Errorf("bert.FillMask: topK must be ≥ 1, got %d", topK)
	}
	sp, err := SpecialsOf(tok)
	if err != nil {
		return nil, fmt.Errorf("bert.FillMask: %w", err)
	}
	ids, err := tok.Encode(text)
	if err != nil {
		return nil, fmt.Errorf("bert.FillMask: %w", err)
	}
	row := append(append([]int32{int32(sp.CLS)}, toInt32(ids)...), int32(sp.SEP))
	if len(row) > m.Config.MaxPositionEmbeddings {
		return nil, fmt.Errorf("bert.FillMask: %d tokens with [CLS] and [SEP], more than max_position_embeddings %d", len(row), m.Config.MaxPositionEmbeddings)
	}
	var masks []int
	for i, id := range ids {
		if id == sp.MASK {
			masks = append(masks, i)
		}
	}
	if len(masks) == 0 {
		return nil, fmt.Errorf("bert.FillMask: the text %q has no [MASK] token", text)
	}
	ones := make([]int32, len(row))
	for i := range ones {
		ones[i] = 1
	}
	r, err := m.Forward(Batch{InputIDs: [][]int32{row}, TokenTypeIDs: [][]int32{make([]int32, len(row))}, AttentionMask: [][]int32{ones}})
	if err != nil {
		return nil, err
	}
	logits := tensors.MustCopyFlatData[float32](r.MLMLogits) // [1, seq, vocab]
	V := m.Config.VocabSize
	special := map[int]bool{sp.PAD: true, sp.UNK: true, sp.CLS: true, sp.SEP: true, sp.MASK: true}
	var out []MaskPrediction
	for _, pos := range masks {
		l := logits[(pos+1)*V : (pos+2)*V]
		maxL := float32(math.Inf(-1))
		for _, x := range l {
			maxL = max(maxL, x)
		}
		sum := 0.0
		for _, x := range l {
			sum += math.Exp(float64(x - maxL))
		}
		var cands []Candidate
		for id, x := range l {
			if special[id] {
				continue
			}
			t, _ := tok.Token(id)
			cands = append(cands, Candidate{Token: t, ID: id, Probability: math.Exp(float64(x-maxL)) / sum})
		}
		sort.Slice(cands, func(i, j int) bool { return cands[i].Probability > cands[j].Probability })
		out = append(out, MaskPrediction{Position: pos, Candidates: cands[:min(topK, len(cands))]})
	}
	return out, nil
}

func toInt32(ids []int) []int32 {
	out := make([]int32, len(ids))
	for i, id := range ids {
		out[i] = int32(id)
	}
	return out
}
