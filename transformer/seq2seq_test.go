package transformer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/gomlx/compute"
)

func fixtureSeq2SeqConfig(f *fixture) Config {
	return Config{
		LayerConfig:   LayerConfig{Width: 8, NumHeads: 2, FFNWidth: 16, Activation: ReLU, LayerNormEpsilon: 1e-5},
		EncoderLayers: 2, DecoderLayers: 2,
		SourceVocab: int(f.Meta["source_vocab"].(float64)), TargetVocab: int(f.Meta["target_vocab"].(float64)),
		MaxLen: int(f.Meta["max_len"].(float64)), Positions: Sinusoidal, ScaleEmbeddings: true, FinalNorm: true,
		PadID: int(f.Meta["pad"].(float64)),
	}
}

func int32Rows(t *testing.T, f *fixture, name string) [][]int32 {
	v := f.get(t, name)
	rows := make([][]int32, v.Shape[0])
	for b := range rows {
		for _, x := range v.Data[b*v.Shape[1] : (b+1)*v.Shape[1]] {
			rows[b] = append(rows[b], int32(x))
		}
	}
	return rows
}

// TestSeq2SeqMatchesTorch compares the whole model — embeddings·√d, sinusoidal positions,
// nn.Transformer, output Linear — and greedy decoding with PyTorch.
func TestSeq2SeqMatchesTorch(t *testing.T) {
	f := loadFixture(t, "seq2seq")
	m, err := NewSeq2Seq(testBackend(t), fixtureSeq2SeqConfig(f))
	if err != nil {
		t.Fatal(err)
	}
	f.loadParams(t, m.Store, "")
	source, target := int32Rows(t, f, "source"), int32Rows(t, f, "target")
	logits, err := m.Logits(source, target)
	if err != nil {
		t.Fatal(err)
	}
	expectClose(t, f, "logits", logits)
	if n := m.Store.NumVariables(); n != len(f.names("param/")) {
		t.Errorf("store has %d variables, fixture %d", n, len(f.names("param/")))
	}

	bos, eos := int32(f.Meta["bos"].(float64)), int32(f.Meta["eos"].(float64))
	got, err := m.GreedyDecode(source, bos, eos, 6)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := fmt.Sprint(got), fmt.Sprint(f.Meta["greedy"]); g != w {
		t.Errorf("greedy decoding: got %s, PyTorch %s", g, w)
	}
	t.Logf("greedy: %v", got)
}

func TestSeq2SeqErrors(t *testing.T) {
	cfg := DefaultConfig(10, 10)
	cfg.MaxLen = 4
	m, err := NewSeq2Seq(testBackend(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		source, target [][]int32
		want           string
	}{
		{[][]int32{{1, 2, 3, 4, 5}}, [][]int32{{1}}, "sequence length 5 is longer than MaxLen 4"},
		{[][]int32{{1, 2}}, [][]int32{{1, 12}}, "12 at [0][1] is outside [0, vocabulary 10)"},
		{[][]int32{{1, 2}, {1}}, [][]int32{{1}, {1}}, "row 1 has 1 entries, want 2"},
		{[][]int32{{1, 2}}, [][]int32{{1}, {1}}, "source batch has 1 rows but target batch has 2"},
	}
	for _, c := range cases {
		_, err := m.Logits(c.source, c.target)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Logits(%v, %v): error %v, want it to contain %q", c.source, c.target, err, c.want)
		}
	}
	if _, err := m.GreedyDecode([][]int32{{1}}, 1, 2, 4); err == nil || !strings.Contains(err.Error(), "maxLen 4") {
		t.Errorf("GreedyDecode with maxLen 4 > MaxLen-1: error %v", err)
	}
	if _, err := m.GreedyDecode([][]int32{{1}}, 1, 2, 3); err != nil {
		t.Errorf("GreedyDecode: %v", err)
	}
}

// TestSeq2SeqSeesLoadedWeights compiles Logits and GreedyDecode on freshly initialised weights,
// then loads PyTorch's weights into the same model: both must now give PyTorch's numbers (with the
// Go backend's weights-as-constants preference, they kept the random ones). Also on a raw Go
// backend, which NewSeq2Seq must protect itself.
func TestSeq2SeqSeesLoadedWeights(t *testing.T) {
	f := loadFixture(t, "seq2seq")
	backends := map[string]compute.Backend{"backend.New": testBackend(t)}
	if raw, err := compute.NewWithConfig(backend.SafeGoConfig); err == nil {
		backends["raw go"] = raw
	}
	source, target := int32Rows(t, f, "source"), int32Rows(t, f, "target")
	bos, eos := int32(f.Meta["bos"].(float64)), int32(f.Meta["eos"].(float64))
	for name, be := range backends {
		t.Run(name, func(t *testing.T) {
			m, err := NewSeq2Seq(be, fixtureSeq2SeqConfig(f))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Logits(source, target); err != nil { // initialises and compiles
				t.Fatal(err)
			}
			if _, err := m.GreedyDecode(source, bos, eos, 6); err != nil {
				t.Fatal(err)
			}
			for _, p := range f.names("param/") { // new values into the variables the graphs use
				v := m.Store.GetVariable("/" + p)
				if v == nil {
					t.Fatalf("no variable %s", p)
				}
				v.MustSetValue(f.float32(t, "param/"+p))
			}
			logits, err := m.Logits(source, target)
			if err != nil {
				t.Fatal(err)
			}
			expectClose(t, f, "logits", logits)
			got, err := m.GreedyDecode(source, bos, eos, 6)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := fmt.Sprint(got), fmt.Sprint(f.Meta["greedy"]); g != w {
				t.Errorf("greedy decoding after loading: got %s, PyTorch %s", g, w)
			}
		})
	}
}
