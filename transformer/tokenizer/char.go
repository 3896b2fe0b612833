package tokenizer

import (
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/bert2gpt/bert2gpt/internal/atomicfile"
	"github.com/bert2gpt/bert2gpt/internal/boundedread"
	"github.com/pkg/errors"
)

// Char is a character-level tokenizer: one token per Unicode character (code point), so a
// Chinese character such as 床 is one token, not the three bytes of its UTF-8 encoding.
// Special tokens written literally in the text are recognized first. A character missing
// from the vocabulary becomes the Unknown token, or is an error if there is none.
type Char struct {
	vocabTable
	specials Specials
	literals []string
	unk      int // -1 if none
}

// NewChar makes a character tokenizer; specials must be in vocab.
func NewChar(vocab *Vocab, specials Specials) (*Char, error) {
	if vocab == nil {
		return nil, errors.New("NewChar: nil vocabulary")
	}
	ids, err := specialIDs(vocab, specials)
	if err != nil {
		return nil, errors.WithMessage(err, "NewChar")
	}
	c := &Char{vocabTable: vocabTable{vocab, ids}, specials: specials, literals: specials.strings(), unk: -1}
	if id, ok := ids[Unknown]; ok {
		c.unk = id
	}
	return c, nil
}

// TrainChar builds the vocabulary of a character tokenizer from texts: the specials first,
// then every character seen at least minFreq times (minFreq ≤ 1 keeps all), most frequent
// first, ties by code point. With specials nil, none are added (as nanoGPT's char model).
func TrainChar(texts []string, specials Specials, minFreq int) (*Char, error) {
	counts := map[rune]int{}
	lits := specials.strings()
	for _, t := range texts {
		for _, seg := range splitSpecials(t, lits) {
			if !seg.special {
				for _, r := range seg.text {
					counts[r]++
				}
			}
		}
	}
	runes := make([]rune, 0, len(counts))
	for r, c := range counts {
		if c >= minFreq {
			runes = append(runes, r)
		}
	}
	sort.Slice(runes, func(i, j int) bool {
		if counts[runes[i]] != counts[runes[j]] {
			return counts[runes[i]] > counts[runes[j]]
		}
		return runes[i] < runes[j]
	})
	tokens := append([]string(nil), lits...)
	seen := map[string]bool{}
	for _, s := range lits {
		seen[s] = true
	}
	for _, r := range runes {
		if s := string(r); !seen[s] {
			seen[s] = true
			tokens = append(tokens, s)
		}
	}
	if len(tokens) == 0 {
		return nil, errors.New("TrainChar: empty corpus and no specials")
	}
	v, err := NewVocab(tokens)
	if err != nil {
		return nil, errors.WithMessage(err, "TrainChar")
	}
	return NewChar(v, specials)
}

// charFile is the JSON layout of a saved character vocabulary.
type charFile struct {
	Tokens   []string          `json:"tokens"`
	Specials map[string]string `json:"specials"`
}

// Save writes the vocabulary as JSON: {"tokens": [...], "specials": {"Unknown": "[UNK]", …}},
// atomically (a reader sees the old file or the new one, never a part).
func (c *Char) Save(path string) error {
	f := charFile{Tokens: c.vocab.Tokens(), Specials: map[string]string{}}
	for r, t := range c.specials {
		f.Specials[r.String()] = t
	}
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, b)
}

// maxCharTokens bounds a character vocabulary: every Unicode code point plus the specials.
const maxCharTokens = utf8.MaxRune + 1 + int(numSpecials)

// LoadChar reads a vocabulary written by [Char.Save].
func LoadChar(path string) (*Char, error) {
	b, err := boundedread.ReadFile(path, boundedread.VocabLimit)
	if err != nil {
		return nil, err
	}
	c, err := ParseChar(b)
	if err != nil {
		return nil, errors.WithMessagef(err, "loading %s", path)
	}
	return c, nil
}

// ParseChar reads the JSON of a vocabulary written by [Char.Save]: every token one character or a
// special token, no duplicates, at least one token and at most one per Unicode code point plus the
// specials.
func ParseChar(b []byte) (*Char, error) {
	var f charFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, errors.Wrap(err, "parsing the vocabulary")
	}
	if len(f.Tokens) == 0 {
		return nil, errors.New("the vocabulary has no tokens")
	}
	if len(f.Tokens) > maxCharTokens {
		return nil, errors.Errorf("%d tokens: more than the %d a character vocabulary can have", len(f.Tokens), maxCharTokens)
	}
	for i, t := range f.Tokens {
		if utf8.RuneCountInString(t) != 1 && !containsValue(f.Specials, t) {
			return nil, errors.Errorf("token #%d %q is neither one character nor a special token", i, t)
		}
	}
	v, err := NewVocab(f.Tokens)
	if err != nil {
		return nil, err
	}
	sp := Specials{}
	for name, t := range f.Specials {
		r, ok := specialByName(name)
		if !ok {
			return nil, errors.Errorf("unknown special role %q", name)
		}
		sp[r] = t
	}
	return NewChar(v, sp)
}

func containsValue(m map[string]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}

func specialByName(name string) (Special, bool) {
	for r := Special(0); r < numSpecials; r++ {
		if r.String() == name {
			return r, true
		}
	}
	return 0, false
}

// Encode implements [Tokenizer].
func (c *Char) Encode(text string) ([]int, error) {
	ids := make([]int, 0, len(text))
	for _, seg := range splitSpecials(text, c.literals) {
		if seg.special {
			id, _ := c.vocab.ID(seg.text)
			ids = append(ids, id)
			continue
		}
		for pos, r := range seg.text {
			id, ok := c.vocab.ID(string(r))
			if !ok {
				if c.unk < 0 {
					return nil, errors.Errorf("Char.Encode: character %q (U+%04X) at byte %d is not in the vocabulary and there is no Unknown token", r, r, pos)
				}
				id = c.unk
			}
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// Tokenize implements [Tokenizer].
func (c *Char) Tokenize(text string) ([]string, error) {
	ids, err := c.Encode(text)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = c.vocab.tokens[id]
	}
	return out, nil
}

// Decode implements [Tokenizer]: the tokens are concatenated.
func (c *Char) Decode(ids []int) (string, error) {
	var sb strings.Builder
	for i, id := range ids {
		t, ok := c.vocab.Token(id)
		if !ok {
			return "", errors.Errorf("Char.Decode: id %d (position %d) not in vocabulary of size %d", id, i, c.vocab.Size())
		}
		sb.WriteString(t)
	}
	return sb.String(), nil
}
