package tokenizer

import (
	"github.com/gomlx/go-huggingface/tokenizers/api"
	"github.com/pkg/errors"
)

// AsHuggingFace adapts t to go-huggingface's api.Tokenizer interface. That interface has
// no error results: Encode returns nil and Decode "" where t would fail.
func AsHuggingFace(t Tokenizer) api.Tokenizer { return hfAdapter{t} }

type hfAdapter struct{ t Tokenizer }

// Encode returns the ids of text, or nil on error.
func (a hfAdapter) Encode(text string) []int {
	ids, err := a.t.Encode(text)
	if err != nil {
		return nil
	}
	return ids
}

// Decode returns the text of ids, or "" on error.
func (a hfAdapter) Decode(ids []int) string {
	s, err := a.t.Decode(ids)
	if err != nil {
		return ""
	}
	return s
}

// SpecialTokenID maps go-huggingface's roles to ours.
func (a hfAdapter) SpecialTokenID(tok api.SpecialToken) (int, error) {
	roles := map[api.SpecialToken]Special{
		api.TokBeginningOfSentence: BOS, api.TokEndOfSentence: EOS, api.TokUnknown: Unknown,
		api.TokPad: Pad, api.TokMask: Mask, api.TokClassification: CLS,
	}
	r, ok := roles[tok]
	if !ok {
		return 0, errors.Errorf("unknown special token %d", tok)
	}
	if id, ok := a.t.SpecialID(r); ok {
		return id, nil
	}
	// BERT has no BOS/EOS: [CLS] and [SEP] play those parts.
	switch r {
	case BOS:
		if id, ok := a.t.SpecialID(CLS); ok {
			return id, nil
		}
	case EOS:
		if id, ok := a.t.SpecialID(SEP); ok {
			return id, nil
		}
	}
	return 0, errors.Errorf("tokenizer has no %s token", r)
}
