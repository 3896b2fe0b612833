package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// GPT2PreTokenize splits text the way GPT-2's pre-tokenization regular expression does:
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// Go's regexp has no look-ahead, so this is a hand-written scanner that tries the same
// alternatives in the same order at each position. The look-ahead rule \s+(?!\S) means:
// a run of whitespace followed by a non-space gives up its last character, which then
// starts the next piece (" world" keeps its space); a run at the end of the text is kept
// whole; a single whitespace character other than ' ' before a non-space (e.g. "\n"
// before a word) is a piece of its own. Bytes that are not valid UTF-8 count as "other
// symbols". The pieces concatenate back to text exactly.
func GPT2PreTokenize(text string) []string {
	var out []string
	for i := 0; i < len(text); {
		n := gpt2PieceLen(text[i:])
		out = append(out, text[i:i+n])
		i += n
	}
	return out
}

type runeClass int

const (
	classLetter runeClass = iota
	classNumber
	classSpace
	classOther
)

func classify(s string) (runeClass, int) {
	r, size := utf8.DecodeRuneInString(s)
	if r < utf8.RuneSelf {
		c := byte(r)
		switch {
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			return classLetter, 1
		case c >= '0' && c <= '9':
			return classNumber, 1
		case c == ' ' || (c >= '\t' && c <= '\r'):
			return classSpace, 1
		}
		return classOther, 1
	}
	if r == utf8.RuneError && size == 1 {
		return classOther, 1
	}
	switch {
	case unicode.IsLetter(r):
		return classLetter, size
	case unicode.IsNumber(r):
		return classNumber, size
	case unicode.IsSpace(r):
		return classSpace, size
	}
	return classOther, size
}

// runOf returns the length of the run of class c at the start of s.
func runOf(s string, c runeClass) int {
	n := 0
	for n < len(s) {
		cc, size := classify(s[n:])
		if cc != c {
			break
		}
		n += size
	}
	return n
}

// contractionLen returns the length of a GPT-2 contraction ('s 't 're 've 'm 'll 'd) at
// the start of s, or 0.
func contractionLen(s string) int {
	if len(s) < 2 || s[0] != '\'' {
		return 0
	}
	switch s[1] {
	case 's', 't', 'm', 'd':
		return 2
	}
	if len(s) >= 3 {
		switch s[1:3] {
		case "re", "ve", "ll":
			return 3
		}
	}
	return 0
}

// gpt2PieceLen returns the length of the piece at the start of s (len(s) > 0).
func gpt2PieceLen(s string) int {
	if n := contractionLen(s); n > 0 {
		return n
	}
	c, size := classify(s)
	start := 0
	if s[0] == ' ' && len(s) > 1 {
		// " ?X+" alternatives: an optional space followed by a run of letters, numbers or others.
		nc, _ := classify(s[1:])
		if nc != classSpace {
			c, start = nc, 1
		}
	}
	switch c {
	case classLetter, classNumber, classOther:
		return start + runOf(s[start:], c)
	}
	// Whitespace run: \s+(?!\S) then \s+.
	run := runOf(s, classSpace)
	if run == len(s) {
		return run // at the end of the text
	}
	if run > size {
		// Leave the last whitespace character for the next piece.
		_, last := utf8.DecodeLastRuneInString(s[:run])
		return run - last
	}
	return run // a single whitespace character before a non-space
}
