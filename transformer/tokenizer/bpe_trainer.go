package tokenizer

import (
	"github.com/pkg/errors"
)

// BPETrainOptions configures [TrainBPE].
type BPETrainOptions struct {
	// VocabSize is the target size: specials + 256 byte symbols + merges.
	VocabSize int
	// MinFrequency: a pair seen fewer times is never merged (0 means 2).
	MinFrequency int
	// Specials are put first in the vocabulary; nil means [GPT2Specials].
	Specials Specials
}

// TrainBPE learns a byte-level BPE vocabulary from texts: the texts are pre-tokenized as
// GPT-2 does ([GPT2PreTokenize]), every piece becomes a sequence of byte symbols, and the
// most frequent adjacent pair is merged repeatedly (ties: the smaller pair of strings)
// until the vocabulary has VocabSize tokens or no pair occurs MinFrequency times.
// The vocabulary is: specials, the 256 byte symbols in byte order, then one token per merge.
// Special tokens written literally in the texts are not learned from.
func TrainBPE(texts []string, opts BPETrainOptions) (*BPE, error) {
	if opts.Specials == nil {
		opts.Specials = GPT2Specials()
	}
	if opts.MinFrequency == 0 {
		opts.MinFrequency = 2
	}
	specials := opts.Specials.strings()
	if opts.VocabSize < len(specials)+256 {
		return nil, errors.Errorf("TrainBPE: VocabSize %d is smaller than specials + 256 byte symbols (%d)", opts.VocabSize, len(specials)+256)
	}
	tokens := append([]string(nil), specials...)
	t := newMergeTrainer()
	for b := 0; b < 256; b++ {
		t.symbol(byteToStr[b])
	}
	pieces := map[string]int{}
	for _, text := range texts {
		for _, seg := range splitSpecials(text, specials) {
			if seg.special {
				continue
			}
			for _, p := range GPT2PreTokenize(seg.text) {
				pieces[p]++
			}
		}
	}
	for _, p := range sortedKeys(pieces) {
		syms := make([]int, len(p))
		for i := 0; i < len(p); i++ {
			syms[i] = int(p[i]) // the first 256 symbols are the bytes
		}
		t.addWord(syms, pieces[p])
	}
	for b := 0; b < 256; b++ {
		tokens = append(tokens, byteToStr[b])
	}
	var merges []Merge
	seen := map[string]bool{}
	for _, tok := range tokens {
		seen[tok] = true
	}
	for len(tokens) < opts.VocabSize {
		p, ok := t.best(opts.MinFrequency, func(_ [2]int, c int) float64 { return float64(c) })
		if !ok {
			break
		}
		a, b := t.syms[p[0]], t.syms[p[1]]
		m := t.symbol(a + b)
		t.merge(p, m)
		merges = append(merges, Merge{A: a, B: b})
		if !seen[a+b] {
			seen[a+b] = true
			tokens = append(tokens, a+b)
		}
	}
	v, err := NewVocab(tokens)
	if err != nil {
		return nil, errors.WithMessage(err, "TrainBPE")
	}
	return NewBPE(v, merges, BPEOptions{Specials: opts.Specials})
}
