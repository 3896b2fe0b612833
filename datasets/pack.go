package datasets

// packPair writes BERT's input for one example into ids, seg and mask (all of length T):
//
//	[CLS] a [SEP]            segment 0            (pair = false)
//	[CLS] a [SEP] b [SEP]    segments 0…0 1…1     (pair = true)
//
// then [PAD] to the end, with segment 0 and attention mask 0 there (1 on every real token). When
// a and b do not fit, the longer of the two loses its last token, again and again, as BERT's
// create_pretraining_data does. Pre-training (with or without next-sentence pairs) and sentence
// classification both pack their examples here.
func packPair(a, b []int, pair bool, cls, sep, pad int, ids, seg, mask []int32) {
	T := len(ids)
	budget := T - 2 // [CLS] and the first [SEP]
	if pair {
		budget-- // the second [SEP]
	}
	if !pair {
		b = nil
	}
	for len(a)+len(b) > budget {
		if len(a) >= len(b) {
			a = a[:len(a)-1]
		} else {
			b = b[:len(b)-1]
		}
	}
	pos := 0
	put := func(id int, s int32) {
		ids[pos], seg[pos], mask[pos] = int32(id), s, 1
		pos++
	}
	put(cls, 0)
	for _, t := range a {
		put(t, 0)
	}
	put(sep, 0)
	if pair {
		for _, t := range b {
			put(t, 1)
		}
		put(sep, 1)
	}
	for ; pos < T; pos++ {
		ids[pos], seg[pos], mask[pos] = int32(pad), 0, 0
	}
}
