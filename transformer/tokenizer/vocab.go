package tokenizer

import (
	"github.com/pkg/errors"
)

// Vocab is a bidirectional map between token strings and ids. Ids may have gaps (a
// vocab.json may skip numbers); VocabSize is then the largest id + 1.
type Vocab struct {
	tokens []string // by id; "" for a gap
	has    []bool
	ids    map[string]int
}

// NewVocab makes a vocabulary with ids 0..len(tokens)-1 in order; a duplicate or empty
// token is an error naming it.
func NewVocab(tokens []string) (*Vocab, error) {
	v := &Vocab{ids: make(map[string]int, len(tokens))}
	for i, t := range tokens {
		if err := v.set(t, i); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (v *Vocab) set(tok string, id int) error {
	if tok == "" {
		return errors.Errorf("empty token at id %d", id)
	}
	if id < 0 || id > 1<<26 {
		return errors.Errorf("token %q has id %d out of range [0, %d]", tok, id, 1<<26)
	}
	if old, dup := v.ids[tok]; dup {
		return errors.Errorf("duplicate token %q (ids %d and %d)", tok, old, id)
	}
	for len(v.tokens) <= id {
		v.tokens = append(v.tokens, "")
		v.has = append(v.has, false)
	}
	if v.has[id] {
		return errors.Errorf("id %d used by both %q and %q", id, v.tokens[id], tok)
	}
	v.tokens[id], v.has[id] = tok, true
	v.ids[tok] = id
	return nil
}

// Size returns the largest id + 1.
func (v *Vocab) Size() int { return len(v.tokens) }

// ID returns the id of tok.
func (v *Vocab) ID(tok string) (int, bool) {
	id, ok := v.ids[tok]
	return id, ok
}

// Token returns the token of id.
func (v *Vocab) Token(id int) (string, bool) {
	if id < 0 || id >= len(v.tokens) || !v.has[id] {
		return "", false
	}
	return v.tokens[id], true
}

// Tokens returns the tokens in id order (gaps as "").
func (v *Vocab) Tokens() []string { return append([]string(nil), v.tokens...) }

// specialIDs resolves the specials against the vocabulary; a special token missing from
// the vocabulary is an error.
func specialIDs(v *Vocab, sp Specials) (map[Special]int, error) {
	out := map[Special]int{}
	for r := Special(0); r < numSpecials; r++ {
		t := sp[r]
		if t == "" {
			continue
		}
		id, ok := v.ID(t)
		if !ok {
			return nil, errors.Errorf("special token %s %q is not in the vocabulary", r, t)
		}
		out[r] = id
	}
	return out, nil
}
