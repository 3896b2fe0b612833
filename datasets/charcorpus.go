package datasets

import (
	"context"
	"fmt"
	"strings"

	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
)

// CharCorpusNames are the corpora LoadCharCorpus knows.
var CharCorpusNames = []string{"shakespeare-char", "tang-char"}

// CharCorpus is a character-level language-modelling corpus: the text split 90/10 (SplitText) into
// training and validation token streams, and the character tokenizer trained on the whole text.
// It is what `bert2gpt gpt train --data NAME` and chapters 09–12 train on.
type CharCorpus struct {
	Name       string
	Tokenizer  *tokenizer.Char
	Train, Val []int32 // token ids of the first 90% and the last 10% of the text
}

// LoadCharCorpus returns the corpus called name: "shakespeare-char" (TinyShakespeare) or
// "tang-char" (every Tang poem, one blank line between poems).
func LoadCharCorpus(ctx context.Context, name string) (*CharCorpus, error) {
	var text string
	switch name {
	case "shakespeare-char":
		t, err := TinyShakespeare(ctx)
		if err != nil {
			return nil, err
		}
		text = t
	case "tang-char":
		poems, err := TangPoems(ctx)
		if err != nil {
			return nil, err
		}
		parts := make([]string, len(poems))
		for i, p := range poems {
			parts[i] = p.Text()
		}
		text = strings.Join(parts, "\n\n")
	default:
		return nil, fmt.Errorf("datasets.LoadCharCorpus: unknown corpus %q (want %s)",
			name, strings.Join(CharCorpusNames, " or "))
	}
	return NewCharCorpus(name, text)
}

// NewCharCorpus trains a character tokenizer on text and encodes its 90/10 split.
func NewCharCorpus(name, text string) (*CharCorpus, error) {
	tok, err := tokenizer.TrainChar([]string{text}, nil, 0)
	if err != nil {
		return nil, fmt.Errorf("datasets: corpus %s: %w", name, err)
	}
	c := &CharCorpus{Name: name, Tokenizer: tok}
	trainText, valText := SplitText(text, 0.9)
	if c.Train, err = tokenizer.EncodeIDs(tok, trainText); err != nil {
		return nil, fmt.Errorf("datasets: corpus %s: %w", name, err)
	}
	if c.Val, err = tokenizer.EncodeIDs(tok, valText); err != nil {
		return nil, fmt.Errorf("datasets: corpus %s: %w", name, err)
	}
	return c, nil
}

// Encode returns the token ids of s (tokenizer.EncodeIDs).
func (c *CharCorpus) Encode(s string) ([]int32, error) { return tokenizer.EncodeIDs(c.Tokenizer, s) }

// Decode returns the text of ids (tokenizer.DecodeIDs).
func (c *CharCorpus) Decode(ids []int32) (string, error) {
	return tokenizer.DecodeIDs(c.Tokenizer, ids)
}
