package tokenizer

import (
	"sort"
	"strings"

	"github.com/pkg/errors"
)

// WordPieceTrainOptions configures [TrainWordPiece].
type WordPieceTrainOptions struct {
	// VocabSize is the target number of tokens, specials included.
	VocabSize int
	// MinFrequency: a pair seen fewer times is never merged (0 means 2).
	MinFrequency int
	// Tokenizer options of the result (basic tokenization, specials, prefix…).
	WordPieceOptions
}

// TrainWordPiece learns a WordPiece vocabulary from texts with the likelihood criterion
// of the original WordPiece: words come from BERT's basic tokenization; each word starts
// as its characters (all but the first prefixed "##"); the pair (a, b) merged next is the
// one that most increases the corpus likelihood under a unigram model, i.e. with the
// largest count(ab) / (count(a)·count(b)) (ties: the larger count, then the smaller pair
// of strings). Every character seen is in the vocabulary, so only characters unseen in
// training become [UNK]. The vocabulary is: specials, single characters (most frequent
// first), then merged pieces in the order learned.
func TrainWordPiece(texts []string, opts WordPieceTrainOptions) (*WordPiece, error) {
	if opts.Specials == nil {
		opts.Specials = BERTSpecials()
	}
	if opts.ContinuationPrefix == "" {
		opts.ContinuationPrefix = "##"
	}
	if opts.MinFrequency == 0 {
		opts.MinFrequency = 2
	}
	specials := opts.Specials.strings()
	if opts.VocabSize <= len(specials) {
		return nil, errors.Errorf("TrainWordPiece: VocabSize %d leaves no room after %d specials", opts.VocabSize, len(specials))
	}
	prefix := opts.ContinuationPrefix
	words := map[string]int{}
	for _, text := range texts {
		for _, seg := range splitSpecials(text, specials) {
			if seg.special {
				continue
			}
			for _, w := range PreTokenize(opts.Basic.Normalize(seg.text)) {
				words[w]++
			}
		}
	}
	t := newMergeTrainer()
	for _, w := range sortedKeys(words) {
		var syms []int
		for i, r := range []rune(w) {
			s := string(r)
			if i > 0 {
				s = prefix + s
			}
			syms = append(syms, t.symbol(s))
		}
		t.addWord(syms, words[w])
	}
	// Alphabet: every initial symbol, most frequent first.
	alphabet := append([]string(nil), t.syms...)
	sort.SliceStable(alphabet, func(i, j int) bool {
		ci, cj := t.symCount[t.symID[alphabet[i]]], t.symCount[t.symID[alphabet[j]]]
		if ci != cj {
			return ci > cj
		}
		return alphabet[i] < alphabet[j]
	})
	tokens := append([]string(nil), specials...)
	seen := map[string]bool{}
	for _, s := range specials {
		seen[s] = true
	}
	for _, s := range alphabet {
		if !seen[s] {
			seen[s] = true
			tokens = append(tokens, s)
		}
	}
	for len(tokens) < opts.VocabSize {
		p, ok := t.best(opts.MinFrequency, func(q [2]int, c int) float64 {
			return float64(c) / (float64(t.symCount[q[0]]) * float64(t.symCount[q[1]]))
		})
		if !ok {
			break
		}
		merged := t.syms[p[0]] + strings.TrimPrefix(t.syms[p[1]], prefix)
		t.merge(p, t.symbol(merged))
		if !seen[merged] {
			seen[merged] = true
			tokens = append(tokens, merged)
		}
	}
	v, err := NewVocab(tokens)
	if err != nil {
		return nil, errors.WithMessage(err, "TrainWordPiece")
	}
	return NewWordPiece(v, opts.WordPieceOptions)
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
