package bert

import (
	"context"
	"fmt"

	"github.com/bert2gpt/bert2gpt/datasets"
	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
)

// PoemCorpus is a pre-training corpus of poems as chapter 07 and `bert2gpt bert pretrain` build
// it: the poems split into training and validation, a character vocabulary, its special ids and
// the poems encoded as documents (EncodePoems: one document per poem, one sentence per line).
type PoemCorpus struct {
	TrainPoems, ValidPoems []datasets.Poem
	Tokenizer              *tokenizer.Char
	Specials               Specials
	Train, Valid           [][][]int // documents → sentences → character ids
}

// NewPoemCorpus encodes train and valid poems with tok; a nil tok is trained on the training
// poems (TrainCharVocab with minFreq), so the validation poems may contain [UNK].
func NewPoemCorpus(train, valid []datasets.Poem, tok *tokenizer.Char, minFreq int) (*PoemCorpus, error) {
	c := &PoemCorpus{TrainPoems: train, ValidPoems: valid, Tokenizer: tok}
	var err error
	if c.Tokenizer == nil {
		if c.Tokenizer, err = TrainCharVocab(train, minFreq); err != nil {
			return nil, fmt.Errorf("bert: vocabulary of %d poems: %w", len(train), err)
		}
	}
	if c.Specials, err = SpecialsOf(c.Tokenizer); err != nil {
		return nil, err
	}
	if c.Train, err = EncodePoems(c.Tokenizer, train); err != nil {
		return nil, fmt.Errorf("bert: training poems: %w", err)
	}
	if c.Valid, err = EncodePoems(c.Tokenizer, valid); err != nil {
		return nil, fmt.Errorf("bert: validation poems: %w", err)
	}
	return c, nil
}

// LoadTangCorpus is NewPoemCorpus over every Tang poem (datasets.TangPoems), validFrac of them
// held out by a hash of their ids (datasets.SplitPoems): chapter 07 uses validFrac 0.05, minFreq 3.
func LoadTangCorpus(ctx context.Context, validFrac float64, minFreq int) (*PoemCorpus, error) {
	poems, err := datasets.TangPoems(ctx)
	if err != nil {
		return nil, err
	}
	train, valid := datasets.SplitPoems(poems, validFrac)
	return NewPoemCorpus(train, valid, nil, minFreq)
}
