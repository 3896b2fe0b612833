package tokenizer

import "unicode/utf8"

// GPT-2 maps each of the 256 byte values to a printable character so that BPE tokens are
// readable strings: the printable Latin-1 bytes (! to ~, ¡ to ¬, ® to ÿ) map to
// themselves, and the other 68 bytes, in increasing order, to U+0100, U+0101, … (so the
// space 0x20 becomes "Ġ" U+0120 and the newline 0x0A becomes "Ċ" U+010A).
var (
	byteToRune [256]rune
	runeToByte = map[rune]byte{}
	byteToStr  [256]string
)

func init() {
	next := rune(256)
	for b := 0; b < 256; b++ {
		printable := (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)
		r := rune(b)
		if !printable {
			r = next
			next++
		}
		byteToRune[b] = r
		runeToByte[r] = byte(b)
		byteToStr[b] = string(r)
	}
}

// ByteLevelEncode maps each byte of s to its printable character.
func ByteLevelEncode(s string) string {
	buf := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		buf = utf8.AppendRune(buf, byteToRune[s[i]])
	}
	return string(buf)
}

// ByteLevelDecode inverts ByteLevelEncode; ok is false if s has a character that is not
// the image of a byte.
func ByteLevelDecode(s string) (out string, ok bool) {
	buf := make([]byte, 0, len(s))
	for _, r := range s {
		b, found := runeToByte[r]
		if !found {
			return "", false
		}
		buf = append(buf, b)
	}
	return string(buf), true
}
