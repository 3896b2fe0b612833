package transformer

import (
	"strings"
	"testing"
)

// TestIDTable: each kind of bad table is an error naming the value; good tables pass.
func TestIDTable(t *testing.T) {
	tokens := IDTable{Name: "m: ids", MaxLen: 4, MaxLenName: "n_positions", Limit: 10, LimitName: "vocab_size"}
	types := IDTable{Name: "m: types", Rows: 2, Len: 3, Limit: 2, LimitName: "type_vocab_size"}
	for _, c := range []struct {
		table IDTable
		rows  [][]int32
		want  string // "" = no error
	}{
		{tokens, [][]int32{{1, 2, 3}, {4, 5, 9}}, ""},
		{tokens, nil, "m: ids: empty batch"},
		{tokens, [][]int32{{}}, "m: ids: empty sequence"},
		{tokens, [][]int32{{1, 2, 3, 4, 5}}, "m: ids: sequence length 5 is longer than n_positions 4"},
		{tokens, [][]int32{{1, 2}, {1}}, "m: ids: row 1 has 1 entries, want 2 (pad rows to one length)"},
		{tokens, [][]int32{{1, 10}}, "m: ids: 10 at [0][1] is outside [0, vocab_size 10)"},
		{tokens, [][]int32{{-1}}, "m: ids: -1 at [0][0] is outside [0, vocab_size 10)"},
		{types, [][]int32{{0, 1, 0}, {1, 1, 1}}, ""},
		{types, [][]int32{{0, 1, 0}}, "m: types: 1 rows, want 2"},
		{types, [][]int32{{0, 1, 0}, {1, 1}}, "m: types: row 1 has 2 entries, want 3"},
		{types, [][]int32{{0, 1}, {1, 1}}, "m: types: row 0 has 2 entries, want 3"},
		{types, [][]int32{{0, 2, 0}, {1, 1, 1}}, "m: types: 2 at [0][1] is outside [0, type_vocab_size 2)"},
	} {
		err := c.table.Check(c.rows)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%v: unexpected error %v", c.rows, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%v: error %v, want it to contain %q", c.rows, err, c.want)
		}
	}
}
