package transformer

import "fmt"

// IDTable describes the [batch][seq] tables of integer ids a model accepts (token ids, token
// types, attention masks), so that a bad batch is an error naming the value before it becomes a
// tensor, instead of a shape panic or an out-of-range gather deep inside a graph. The models'
// CheckTokens / Check methods are built on it.
type IDTable struct {
	// Name starts every error, e.g. "gpt: input ids" or "bert: token_type_ids".
	Name string
	// Rows and Len, when > 0, are the required number of rows and row length (e.g. those of the
	// input ids, for the token types beside them); 0: any number of rows, rows as long as row 0.
	Rows, Len int
	// MaxLen is the longest row allowed (the position table's length), named MaxLenName in errors.
	MaxLen     int
	MaxLenName string
	// Limit bounds the ids: each must be in [0, Limit) (the vocabulary's size, 2 for a mask).
	Limit     int
	LimitName string
}

// Check reports the first problem of rows: no rows, an empty row, a row count or length other than
// the required one, rows of different lengths, a row longer than MaxLen, an id outside [0, Limit).
func (t IDTable) Check(rows [][]int32) error {
	if len(rows) == 0 {
		return fmt.Errorf("%s: empty batch", t.Name)
	}
	if t.Rows > 0 && len(rows) != t.Rows {
		return fmt.Errorf("%s: %d rows, want %d", t.Name, len(rows), t.Rows)
	}
	seq := len(rows[0])
	if t.Len > 0 {
		seq = t.Len
	}
	if seq == 0 {
		return fmt.Errorf("%s: empty sequence", t.Name)
	}
	if t.MaxLen > 0 && seq > t.MaxLen {
		return fmt.Errorf("%s: sequence length %d is longer than %s %d", t.Name, seq, t.MaxLenName, t.MaxLen)
	}
	for b, row := range rows {
		if len(row) != seq {
			return fmt.Errorf("%s: row %d has %d entries, want %d (pad rows to one length)", t.Name, b, len(row), seq)
		}
		for i, id := range row {
			if id < 0 || int(id) >= t.Limit {
				return fmt.Errorf("%s: %d at [%d][%d] is outside [0, %s %d)", t.Name, id, b, i, t.LimitName, t.Limit)
			}
		}
	}
	return nil
}
