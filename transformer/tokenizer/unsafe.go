package tokenizer

import "unsafe"

// unsafeString views b as a string without copying, for map look-ups only (the string
// must not be kept after b changes).
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
