package tokenizer

import (
	"fmt"
)

// Padding says how EncodeBatch makes the rows of a batch one length.
type Padding int

const (
	// PadLongest pads every row to the longest row of the batch (Hugging Face's padding=True).
	PadLongest Padding = iota
	// PadMaxLen pads every row to BatchOptions.MaxLen (padding="max_length").
	PadMaxLen
	// NoPadding leaves the rows at their own lengths.
	NoPadding
)

// BatchOptions configure EncodeBatch.
type BatchOptions struct {
	// MaxLen is the most tokens a row may have, special tokens included; longer inputs are cut at
	// the end. A pair is cut as Hugging Face's "longest_first" does: the longer text loses tokens
	// until both fit, or, when both are long, each keeps about half. 0 means no limit.
	MaxLen int
	// Padding makes the rows one length (PadLongest by default).
	Padding Padding
	// NoSpecials leaves out [CLS] and [SEP]. Tokenizers without those roles (GPT-2's BPE) never
	// get them.
	NoSpecials bool
}

// Encoding is a batch of encoded texts, one row per text in the order given, with the fields of
// Hugging Face's BatchEncoding.
type Encoding struct {
	// IDs are the input ids: [CLS] text [SEP] (and pair [SEP]) for BERT-style tokenizers, then padding.
	IDs [][]int32
	// TypeIDs are the token type (segment) ids: 0 for [CLS], the text and its [SEP]; 1 for the pair
	// and its [SEP]; 0 for padding.
	TypeIDs [][]int32
	// AttentionMask is 1 for a token and 0 for padding.
	AttentionMask [][]int32
	// Truncated says which rows lost tokens to MaxLen.
	Truncated []bool
}

// EncodeBatch encodes texts (and, if pairs is not nil, text pairs: pairs[i] goes with texts[i]) into
// a batch of ids, token types and attention masks, as a Hugging Face tokenizer called with
// truncation and padding does. Padding uses the tokenizer's [PAD] id (0 if it has none).
func EncodeBatch(t Tokenizer, texts, pairs []string, o BatchOptions) (*Encoding, error) {
	if len(texts) == 0 {
		return nil, fmt.Errorf("tokenizer.EncodeBatch: no texts")
	}
	if pairs != nil && len(pairs) != len(texts) {
		return nil, fmt.Errorf("tokenizer.EncodeBatch: %d texts but %d pairs", len(texts), len(pairs))
	}
	if o.MaxLen < 0 {
		return nil, fmt.Errorf("tokenizer.EncodeBatch: MaxLen %d must be ≥ 0 (0 = no limit)", o.MaxLen)
	}
	if o.Padding == PadMaxLen && o.MaxLen == 0 {
		return nil, fmt.Errorf("tokenizer.EncodeBatch: PadMaxLen needs MaxLen")
	}
	cls, hasCLS := t.SpecialID(CLS)
	sep, hasSEP := t.SpecialID(SEP)
	specials := !o.NoSpecials && hasCLS && hasSEP
	added := 0 // special tokens per row
	if specials {
		added = 2
		if pairs != nil {
			added = 3
		}
	}
	if o.MaxLen > 0 && o.MaxLen <= added {
		return nil, fmt.Errorf("tokenizer.EncodeBatch: MaxLen %d leaves no room for text next to %d special tokens", o.MaxLen, added)
	}
	pad, _ := t.SpecialID(Pad)
	e := &Encoding{}
	longest := 0
	for i, text := range texts {
		a, err := t.Encode(text)
		if err != nil {
			return nil, fmt.Errorf("tokenizer.EncodeBatch: text %d: %w", i, err)
		}
		var b []int
		if pairs != nil {
			if b, err = t.Encode(pairs[i]); err != nil {
				return nil, fmt.Errorf("tokenizer.EncodeBatch: pair %d: %w", i, err)
			}
		}
		truncated := false
		if o.MaxLen > 0 && len(a)+len(b)+added > o.MaxLen {
			truncated = true
			na, nb := truncateLengths(len(a), len(b), o.MaxLen-added, pairs != nil)
			a, b = a[:na], b[:nb]
		}
		var ids, types []int32
		if specials {
			ids = append(ids, int32(cls))
		}
		ids = appendInt32(ids, a)
		if specials {
			ids = append(ids, int32(sep))
		}
		types = make([]int32, len(ids), len(ids)+len(b)+1)
		if pairs != nil {
			ids = appendInt32(ids, b)
			if specials {
				ids = append(ids, int32(sep))
			}
			for len(types) < len(ids) {
				types = append(types, 1)
			}
		}
		e.IDs, e.TypeIDs, e.Truncated = append(e.IDs, ids), append(e.TypeIDs, types), append(e.Truncated, truncated)
		longest = max(longest, len(ids))
	}
	width := longest
	if o.Padding == PadMaxLen {
		width = o.MaxLen
	}
	for i, ids := range e.IDs {
		n := len(ids)
		mask := make([]int32, n, max(n, width))
		for j := range mask {
			mask[j] = 1
		}
		if o.Padding != NoPadding {
			for len(ids) < width {
				ids = append(ids, int32(pad))
				e.TypeIDs[i] = append(e.TypeIDs[i], 0)
				mask = append(mask, 0)
			}
		}
		e.IDs[i], e.AttentionMask = ids, append(e.AttentionMask, mask)
	}
	return e, nil
}

// truncateLengths returns how many tokens of a text (na) and of its pair (nb) fit in budget, as
// the Rust tokenizers' "longest_first" strategy decides: when only the longer input is too long it
// gives up the excess; when both are, the shorter keeps budget/2 and the longer the rest.
func truncateLengths(na, nb, budget int, pair bool) (int, int) {
	if !pair {
		return min(na, budget), 0
	}
	n1, n2, swap := na, nb, false
	if n1 > n2 {
		n1, n2, swap = n2, n1, true
	}
	if n1 > budget {
		n2 = n1
	} else {
		n2 = max(n1, budget-n1)
	}
	if n1+n2 > budget {
		n1 = budget / 2
		n2 = n1 + budget%2
	}
	if swap {
		n1, n2 = n2, n1
	}
	return min(na, n1), min(nb, n2)
}

func appendInt32(dst []int32, ids []int) []int32 {
	for _, id := range ids {
		dst = append(dst, int32(id))
	}
	return dst
}
