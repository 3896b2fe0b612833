package datasets

import (
	"hash/fnv"
	"unicode/utf8"
)

// InValidation reports whether the record with the given id belongs to the validation
// split of the given fraction. It hashes the id (FNV-1a, 64 bits), so the split is
// deterministic, independent of record order, and stable when records are added.
func InValidation(id string, validFraction float64) bool {
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	const buckets = 1_000_000
	return float64(h.Sum64()%buckets) < validFraction*buckets
}

// SplitPoems splits poems into train and validation by a hash of their ids
// (see [InValidation]); validFraction is typically 0.1.
func SplitPoems(poems []Poem, validFraction float64) (train, valid []Poem) {
	for _, p := range poems {
		if InValidation(p.ID, validFraction) {
			valid = append(valid, p)
		} else {
			train = append(train, p)
		}
	}
	return train, valid
}

// SplitText splits text by characters (runes) the way nanoGPT splits TinyShakespeare:
// the first trainFraction of the characters are train, the rest validation.
func SplitText(text string, trainFraction float64) (train, valid string) {
	n := utf8.RuneCountInString(text)
	cut := int(float64(n) * trainFraction)
	i := 0
	for pos := range text {
		if i == cut {
			return text[:pos], text[pos:]
		}
		i++
	}
	return text, ""
}
