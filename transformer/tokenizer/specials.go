package tokenizer

import "strings"

// segment is a piece of the input: plain text or one special token written literally.
type segment struct {
	text    string
	special bool
}

// splitSpecials cuts text around literal occurrences of the special tokens (leftmost
// first; the longest when several start at the same place). With no specials, or none in
// the text, it returns the whole text as one plain segment.
func splitSpecials(text string, specials []string) []segment {
	if len(specials) == 0 || text == "" {
		return []segment{{text: text}}
	}
	var out []segment
	for text != "" {
		best, bestLen := -1, 0
		for _, s := range specials {
			i := strings.Index(text, s)
			if i < 0 {
				continue
			}
			if best < 0 || i < best || (i == best && len(s) > bestLen) {
				best, bestLen = i, len(s)
			}
		}
		if best < 0 {
			out = append(out, segment{text: text})
			break
		}
		if best > 0 {
			out = append(out, segment{text: text[:best]})
		}
		out = append(out, segment{text: text[best : best+bestLen], special: true})
		text = text[best+bestLen:]
	}
	return out
}
