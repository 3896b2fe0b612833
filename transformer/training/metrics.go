package training

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// Metrics is the final one-line report of a command: e.g. {"step":2000,"train_loss":1.6,
// "val_loss":1.8,"seconds":412.3}. Keys are printed sorted; non-finite floats become null.
type Metrics map[string]any

// WriteJSONLine writes m as one JSON object on one line (the last line of `train`/`eval` output,
// which scripts parse).
func WriteJSONLine(w io.Writer, m Metrics) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kj, _ := json.Marshal(k)
		b.Write(kj)
		b.WriteByte(':')
		v := m[k]
		switch x := v.(type) {
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				v = nil
			}
		case float32:
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				v = nil
			}
		}
		vj, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("metrics: key %q: %w", k, err)
		}
		b.Write(vj)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}
