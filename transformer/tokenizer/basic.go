package tokenizer

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// BasicOptions configures BERT's basic tokenization, which runs before WordPiece.
type BasicOptions struct {
	// Lowercase lower-cases the text (BERT "uncased" models).
	Lowercase bool
	// StripAccents removes accents (Unicode NFD, then drop non-spacing marks). nil means
	// "same as Lowercase", the convention of BERT and Hugging Face.
	StripAccents *bool
	// KeepControl, if true, skips the cleaning step that deletes control characters and
	// U+FFFD and maps every whitespace character to a space.
	KeepControl bool
	// NoChineseSplit, if true, does not put spaces around CJK ideographs.
	NoChineseSplit bool
}

// Bool returns a pointer to b, for BasicOptions.StripAccents.
func Bool(b bool) *bool { return &b }

func (o BasicOptions) stripAccents() bool {
	if o.StripAccents == nil {
		return o.Lowercase
	}
	return *o.StripAccents
}

// isBertControl: format and control characters other than tab/newline/carriage return.
func isBertControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs)
}

// isBertSpace: the Unicode White_Space property (tab, newline, … included).
func isBertSpace(r rune) bool { return unicode.IsSpace(r) }

// isBertPunct: ASCII punctuation (which includes symbols like $ + < = > ^ ` | ~) and
// every Unicode punctuation category.
func isBertPunct(r rune) bool {
	if r < 128 {
		return (r >= 33 && r <= 47) || (r >= 58 && r <= 64) || (r >= 91 && r <= 96) || (r >= 123 && r <= 126)
	}
	return unicode.IsPunct(r)
}

// IsCJK reports whether r is a CJK Unified Ideograph (the blocks BERT splits into single
// characters; Hangul, kana and CJK punctuation are not included).
func IsCJK(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) || (r >= 0x20000 && r <= 0x2A6DF) ||
		(r >= 0x2A700 && r <= 0x2B73F) || (r >= 0x2B740 && r <= 0x2B81F) || (r >= 0x2B820 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) || (r >= 0x2F800 && r <= 0x2FA1F)
}

// Normalize applies the normalization part of BERT's basic tokenization: cleaning,
// spaces around CJK ideographs, accent stripping and lower-casing, in that order.
func (o BasicOptions) Normalize(text string) string {
	var sb strings.Builder
	sb.Grow(len(text) + len(text)/4)
	for _, r := range text {
		if !o.KeepControl {
			if r == 0 || r == 0xFFFD || isBertControl(r) {
				continue
			}
			if isBertSpace(r) {
				r = ' '
			}
		}
		if !o.NoChineseSplit && IsCJK(r) {
			sb.WriteByte(' ')
			sb.WriteRune(r)
			sb.WriteByte(' ')
			continue
		}
		sb.WriteRune(r)
	}
	s := sb.String()
	if o.stripAccents() && !isASCII(s) {
		s = norm.NFD.String(s)
		s = strings.Map(func(r rune) rune {
			if unicode.Is(unicode.Mn, r) {
				return -1
			}
			return r
		}, s)
	}
	if o.Lowercase {
		s = lower(s)
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// lower is strings.ToLower except that İ (U+0130) becomes "i̇" (i + combining dot above),
// as Unicode's full lower-case mapping (and Hugging Face) has it.
func lower(s string) string {
	if strings.ContainsRune(s, 'İ') {
		s = strings.ReplaceAll(s, "İ", "i\u0307")
	}
	return strings.ToLower(s)
}

// PreTokenize splits normalized text into words: on whitespace (dropped) and around each
// punctuation character (kept as its own word).
func PreTokenize(text string) []string {
	var words []string
	start := -1
	for i, r := range text {
		switch {
		case isBertSpace(r):
			if start >= 0 {
				words = append(words, text[start:i])
				start = -1
			}
		case isBertPunct(r):
			if start >= 0 {
				words = append(words, text[start:i])
				start = -1
			}
			words = append(words, string(r))
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		words = append(words, text[start:])
	}
	return words
}
