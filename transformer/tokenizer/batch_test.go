package tokenizer

import (
	"reflect"
	"strings"
	"testing"
)

// letters is a WordPiece over single letters a–z (ids 5…30) and the specials 0–4.
func letters(t *testing.T) *WordPiece {
	t.Helper()
	toks := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}
	for c := 'a'; c <= 'z'; c++ {
		toks = append(toks, string(c), "##"+string(c))
	}
	v, err := NewVocab(toks)
	if err != nil {
		t.Fatal(err)
	}
	wp, err := NewWordPiece(v, WordPieceOptions{Basic: BasicOptions{Lowercase: true}})
	if err != nil {
		t.Fatal(err)
	}
	return wp
}

// ids returns the ids of the single-letter words of s ("a b c" → 5 7 9).
func ids(wp *WordPiece, s string) []int32 {
	var out []int32
	for _, w := range strings.Fields(s) {
		id, _ := wp.TokenID(w)
		out = append(out, int32(id))
	}
	return out
}

func TestEncodeBatchSingles(t *testing.T) {
	wp := letters(t)
	e, err := EncodeBatch(wp, []string{"a b c", "D", ""}, nil, BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int32{append(append([]int32{2}, ids(wp, "a b c")...), 3), {2, ids(wp, "d")[0], 3, 0, 0}, {2, 3, 0, 0, 0}}
	if !reflect.DeepEqual(e.IDs, want) {
		t.Errorf("ids %v, want %v", e.IDs, want)
	}
	if !reflect.DeepEqual(e.AttentionMask, [][]int32{{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}, {1, 1, 0, 0, 0}}) {
		t.Errorf("mask %v", e.AttentionMask)
	}
	if !reflect.DeepEqual(e.TypeIDs, [][]int32{{0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}}) || e.Truncated[0] {
		t.Errorf("types %v, truncated %v", e.TypeIDs, e.Truncated)
	}
	// Truncation keeps [CLS] … [SEP]; PadMaxLen pads to MaxLen; NoPadding keeps lengths; NoSpecials.
	e, _ = EncodeBatch(wp, []string{"a b c d e", "f"}, nil, BatchOptions{MaxLen: 4, Padding: PadMaxLen})
	if !reflect.DeepEqual(e.IDs, [][]int32{{2, 5, 7, 3}, {2, 15, 3, 0}}) || !e.Truncated[0] || e.Truncated[1] {
		t.Errorf("truncated: %v %v", e.IDs, e.Truncated)
	}
	e, _ = EncodeBatch(wp, []string{"a b", "c"}, nil, BatchOptions{Padding: NoPadding, NoSpecials: true})
	if !reflect.DeepEqual(e.IDs, [][]int32{{5, 7}, {9}}) || !reflect.DeepEqual(e.AttentionMask, [][]int32{{1, 1}, {1}}) {
		t.Errorf("no padding, no specials: %v %v", e.IDs, e.AttentionMask)
	}
}

// TestEncodeBatchPairs: [CLS] A [SEP] B [SEP] with types 0…0 1…1, and longest_first truncation as
// the Rust tokenizers do it (checked against HF on real text by bert's MiniLM parity test).
func TestEncodeBatchPairs(t *testing.T) {
	wp := letters(t)
	e, err := EncodeBatch(wp, []string{"a b"}, []string{"c"}, BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(e.IDs[0], []int32{2, 5, 7, 3, 9, 3}) || !reflect.DeepEqual(e.TypeIDs[0], []int32{0, 0, 0, 0, 1, 1}) {
		t.Errorf("pair: %v %v", e.IDs, e.TypeIDs)
	}
	for _, tc := range []struct {
		na, nb, budget int
		wa, wb         int
	}{
		{3, 10, 8, 3, 5},   // only the longer is cut
		{10, 3, 8, 5, 3},   // same, first text longer
		{10, 10, 15, 7, 8}, // both long: the first keeps half, the second the rest (Rust's tie rule)
		{10, 12, 9, 4, 5},
		{12, 10, 9, 5, 4},
		{20, 20, 1, 0, 1},
	} {
		if a, b := truncateLengths(tc.na, tc.nb, tc.budget, true); a != tc.wa || b != tc.wb {
			t.Errorf("truncateLengths(%d, %d, %d) = %d, %d; want %d, %d", tc.na, tc.nb, tc.budget, a, b, tc.wa, tc.wb)
		}
	}
}

func TestEncodeBatchErrors(t *testing.T) {
	wp := letters(t)
	for _, tc := range []struct {
		texts, pairs []string
		o            BatchOptions
		want         string
	}{
		{nil, nil, BatchOptions{}, "no texts"},
		{[]string{"a"}, []string{"b", "c"}, BatchOptions{}, "1 texts but 2 pairs"},
		{[]string{"a"}, nil, BatchOptions{MaxLen: -1}, "MaxLen -1"},
		{[]string{"a"}, nil, BatchOptions{Padding: PadMaxLen}, "PadMaxLen needs MaxLen"},
		{[]string{"a"}, []string{"b"}, BatchOptions{MaxLen: 3}, "MaxLen 3 leaves no room"},
	} {
		if _, err := EncodeBatch(wp, tc.texts, tc.pairs, tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v %+v: %v, want %q", tc.texts, tc.pairs, tc.o, err, tc.want)
		}
	}
}

// FuzzEncodeBatch: any texts, pairs and options give a batch or an error, never a panic; a batch
// has one row per text, rows of one length (PadLongest) or at most MaxLen, masks that are 1 exactly
// on the unpadded prefix, type ids 0 or 1.
func FuzzEncodeBatch(f *testing.F) {
	f.Add("a b c", "d e", "", 5, uint8(0), false)
	f.Add("[CLS] a [SEP]", "", "z", 0, uint8(1), true)
	f.Add("", "", "", 3, uint8(2), false)
	f.Fuzz(func(t *testing.T, a, b, c string, maxLen int, padding uint8, withPairs bool) {
		wp := letters(t)
		texts := []string{a, b, c}
		var pairs []string
		if withPairs {
			pairs = []string{c, a, b}
		}
		o := BatchOptions{MaxLen: maxLen % 64, Padding: Padding(padding % 3)}
		e, err := EncodeBatch(wp, texts, pairs, o)
		if err != nil {
			return
		}
		if len(e.IDs) != 3 || len(e.TypeIDs) != 3 || len(e.AttentionMask) != 3 || len(e.Truncated) != 3 {
			t.Fatalf("rows: %d %d %d %d", len(e.IDs), len(e.TypeIDs), len(e.AttentionMask), len(e.Truncated))
		}
		for i := range e.IDs {
			n := len(e.IDs[i])
			if len(e.TypeIDs[i]) != n || len(e.AttentionMask[i]) != n {
				t.Fatalf("row %d: lengths %d %d %d", i, n, len(e.TypeIDs[i]), len(e.AttentionMask[i]))
			}
			if o.Padding != NoPadding && n != len(e.IDs[0]) {
				t.Fatalf("row %d has %d entries, row 0 %d", i, n, len(e.IDs[0]))
			}
			if o.MaxLen > 0 && n > o.MaxLen {
				t.Fatalf("row %d: %d > MaxLen %d", i, n, o.MaxLen)
			}
			seenPad := false
			for j, m := range e.AttentionMask[i] {
				if m == 0 {
					seenPad = true
				} else if seenPad || m != 1 {
					t.Fatalf("row %d: mask %v", i, e.AttentionMask[i])
				}
				if ty := e.TypeIDs[i][j]; ty != 0 && ty != 1 {
					t.Fatalf("row %d: type id %d", i, ty)
				}
			}
		}
	})
}
