package tokenizer

// vocabTable is what every tokenizer here has in common: its vocabulary (token ↔ id) and the ids
// of its special tokens. Char, WordPiece and BPE embed it, so these lookups are written once and
// each tokenizer only adds how it cuts text into tokens.
type vocabTable struct {
	vocab   *Vocab
	special map[Special]int // role → id, for the special tokens the tokenizer has
}

// Vocab returns the vocabulary.
func (t *vocabTable) Vocab() *Vocab { return t.vocab }

// VocabSize implements [Tokenizer].
func (t *vocabTable) VocabSize() int { return t.vocab.Size() }

// TokenID implements [Tokenizer].
func (t *vocabTable) TokenID(token string) (int, bool) { return t.vocab.ID(token) }

// Token implements [Tokenizer].
func (t *vocabTable) Token(id int) (string, bool) { return t.vocab.Token(id) }

// SpecialID implements [Tokenizer].
func (t *vocabTable) SpecialID(s Special) (int, bool) {
	id, ok := t.special[s]
	return id, ok
}

// specialOf returns the role of a special token's id, if id is one.
func (t *vocabTable) specialOf(id int) (Special, bool) {
	for r, sid := range t.special {
		if sid == id {
			return r, true
		}
	}
	return 0, false
}
