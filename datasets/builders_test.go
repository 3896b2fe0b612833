package datasets

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/train"
)

// Compile-time checks that the builders are train.Datasets.
var (
	_ train.Dataset = (*LMWindows)(nil)
	_ train.Dataset = (*BERTPretraining)(nil)
	_ train.Dataset = (*Classification)(nil)
	_ train.Dataset = (*Seq2Seq)(nil)
)

func flat32(t *testing.T, x *tensors.Tensor) []int32 {
	t.Helper()
	v, err := tensors.CopyFlatData[int32](x)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func flatF(t *testing.T, x *tensors.Tensor) []float32 {
	t.Helper()
	v, err := tensors.CopyFlatData[float32](x)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func collect(t *testing.T, ds train.Dataset, n int) []train.Batch {
	t.Helper()
	var out []train.Batch
	for b, err := range ds.Iter() {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
		if len(out) == n {
			break
		}
	}
	return out
}

func TestLMWindows(t *testing.T) {
	tokens := make([]int, 1000)
	for i := range tokens {
		tokens[i] = i
	}
	d, err := NewLMWindows("lm", tokens, 16, 4, 7)
	if err != nil {
		t.Fatal(err)
	}
	bs := collect(t, d, 3)
	for _, b := range bs {
		if got := b.Inputs[0].Shape().Dimensions; !reflect.DeepEqual(got, []int{4, 16}) {
			t.Fatalf("shape %v", got)
		}
		x, y := flat32(t, b.Inputs[0]), flat32(t, b.Labels[0])
		for i := range x {
			if y[i] != x[i]+1 {
				t.Fatal("target is not input shifted by one")
			}
			if i%16 > 0 && x[i] != x[i-1]+1 {
				t.Fatal("window not contiguous")
			}
		}
	}
	d.Reset()
	again := collect(t, d, 3)
	if !reflect.DeepEqual(flat32(t, bs[2].Inputs[0]), flat32(t, again[2].Inputs[0])) {
		t.Error("not deterministic after Reset")
	}
	next := collect(t, d, 1)
	if reflect.DeepEqual(flat32(t, next[0].Inputs[0]), flat32(t, bs[0].Inputs[0])) {
		t.Error("second pass repeats the first")
	}
	seq, _ := NewLMWindows("eval", tokens, 16, 4, 0)
	seq.Sequential()
	all := collect(t, seq, 0)
	if len(all) != (999/16)/4 || flat32(t, all[0].Inputs[0])[16] != 16 {
		t.Errorf("sequential: %d batches", len(all))
	}
	if _, err := NewLMWindows("x", tokens[:5], 16, 1, 0); err == nil {
		t.Error("too short accepted")
	}
}

// toyDocs makes documents of sentences with token ids ≥ 10 (0..4 are specials).
func toyDocs(r *rand.Rand, n int) [][][]int {
	docs := make([][][]int, n)
	for i := range docs {
		for range 2 + r.IntN(6) {
			s := make([]int, 3+r.IntN(10))
			for k := range s {
				s[k] = 10 + r.IntN(90)
			}
			docs[i] = append(docs[i], s)
		}
	}
	return docs
}

const (
	tPAD, tUNK, tCLS, tSEP, tMASK = 0, 1, 2, 3, 4
)

func TestBERTPretrainingStatistics(t *testing.T) {
	cfg := BERTConfig{Docs: toyDocs(rand.New(rand.NewPCG(1, 2)), 300), MaxLen: 32, BatchSize: 64, CLS: tCLS, SEP: tSEP, PAD: tPAD,
		Mask: MaskConfig{VocabSize: 100, MaskID: tMASK, Specials: []int{tUNK}}, Seed: 42}
	d, err := NewBERTPretraining("bert", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var candidates, selected, masked, random, kept, nspRandom, examples int
	isSpecial := map[int32]bool{tPAD: true, tUNK: true, tCLS: true, tSEP: true, tMASK: true}
	for _, b := range collect(t, d, 60) {
		ids, seg, att := flat32(t, b.Inputs[0]), flat32(t, b.Inputs[1]), flat32(t, b.Inputs[2])
		labels, w, nsp := flat32(t, b.Labels[0]), flatF(t, b.Labels[1]), flat32(t, b.Labels[2])
		T := 32
		for row := range 64 {
			examples++
			nspRandom += int(nsp[row])
			if ids[row*T] != tCLS || w[row*T] != 0 {
				t.Fatal("[CLS] missing or masked")
			}
			seps := 0
			for j := range T {
				i := row*T + j
				id, lab := ids[i], labels[i]
				if (lab == IgnoreIndex) != (w[i] == 0) {
					t.Fatal("labels and weights disagree")
				}
				if att[i] == 0 && (id != tPAD || seg[i] != 0 || w[i] != 0) {
					t.Fatal("padding position is not a plain [PAD]")
				}
				if id == tSEP {
					seps++
				}
				if lab == IgnoreIndex {
					if att[i] == 1 && !isSpecial[id] {
						candidates++
					}
					continue
				}
				candidates++
				selected++
				if isSpecial[lab] {
					t.Fatalf("special token %d was selected for prediction", lab)
				}
				switch {
				case id == tMASK:
					masked++
				case id == lab:
					kept++
				default:
					random++
					if isSpecial[id] {
						t.Fatal("random replacement is a special token")
					}
				}
			}
			if seps != 2 {
				t.Fatalf("row has %d [SEP]s (specials must never be masked)", seps)
			}
		}
	}
	within := func(name string, got, want, tol float64) {
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.4f, want %.2f ± %.3f", name, got, want, tol)
		} else {
			t.Logf("%s = %.4f", name, got)
		}
	}
	within("selected fraction", float64(selected)/float64(candidates), 0.15, 0.01)
	// Random replacements can draw the original token (1 in 95): count those as "kept".
	within("[MASK] share", float64(masked)/float64(selected), 0.8, 0.02)
	within("random share", float64(random)/float64(selected), 0.1, 0.015)
	within("kept share", float64(kept)/float64(selected), 0.1, 0.015)
	within("NSP random fraction", float64(nspRandom)/float64(examples), 0.5, 0.03)

	// Determinism by seed.
	d2, _ := NewBERTPretraining("bert", cfg)
	a, b := collect(t, d2, 2), collect(t, func() *BERTPretraining { x, _ := NewBERTPretraining("bert", cfg); return x }(), 2)
	if !reflect.DeepEqual(flat32(t, a[1].Inputs[0]), flat32(t, b[1].Inputs[0])) {
		t.Error("not deterministic by seed")
	}
	cfg.Seed = 43
	c := collect(t, func() *BERTPretraining { x, _ := NewBERTPretraining("bert", cfg); return x }(), 1)
	if reflect.DeepEqual(flat32(t, a[0].Inputs[0]), flat32(t, c[0].Inputs[0])) {
		t.Error("different seeds give the same data")
	}
}

func TestBERTPretrainingNSPPairs(t *testing.T) {
	// Each sentence is unique: sentence s of document d is [100*d + s + 10].
	var docs [][][]int
	for d := range 50 {
		var doc [][]int
		for s := range 5 {
			doc = append(doc, []int{100*d + s + 10})
		}
		docs = append(docs, doc)
	}
	dd, err := NewBERTPretraining("nsp", BERTConfig{Docs: docs, MaxLen: 8, BatchSize: 1, CLS: tCLS, SEP: tSEP, PAD: tPAD,
		Mask: MaskConfig{VocabSize: 6000, MaskID: tMASK, Prob: 1e-9}, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(9, 9))
	for range 500 {
		ex := dd.Example(r)
		a, b := ex.InputIDs[1]-10, ex.InputIDs[3]-10
		if ex.SegmentIDs[3] != 1 || ex.SegmentIDs[1] != 0 || ex.InputIDs[2] != tSEP || ex.InputIDs[4] != tSEP {
			t.Fatalf("bad layout %v %v", ex.InputIDs, ex.SegmentIDs)
		}
		sameDocNext := a/100 == b/100 && b == a+1
		if (ex.NSPLabel == 0) != sameDocNext || (ex.NSPLabel == 1 && a/100 == b/100) {
			t.Fatalf("NSP label %d for A=%d B=%d", ex.NSPLabel, a, b)
		}
	}
}

func TestMaskTokensErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	if _, _, err := MaskTokens(r, []int32{5}, MaskConfig{VocabSize: 3, MaskID: 7}); err == nil {
		t.Error("MaskID outside vocab accepted")
	}
	if _, err := NewBERTPretraining("x", BERTConfig{Docs: [][][]int{{{1, 2}}}, MaxLen: 16, BatchSize: 1,
		Mask: MaskConfig{VocabSize: 100, MaskID: 4}}); err == nil {
		t.Error("NSP with a single document accepted")
	}
}

func TestClassification(t *testing.T) {
	var exs []ClassificationExample
	for i := range 10 {
		exs = append(exs, ClassificationExample{A: []int{10 + i, 11, 12}, B: []int{20}, Label: i % 3})
	}
	d, err := NewClassification("cls", ClassificationConfig{Examples: exs, MaxLen: 6, BatchSize: 4, CLS: tCLS, SEP: tSEP, PAD: tPAD, Shuffle: true, Seed: 1, Epochs: 1})
	if err != nil {
		t.Fatal(err)
	}
	bs := collect(t, d, 0)
	if len(bs) != 3 || bs[2].Inputs[0].Shape().Dimensions[0] != 2 {
		t.Fatalf("want batches of 4, 4, 2; got %d", len(bs))
	}
	ids, seg := flat32(t, bs[0].Inputs[0]), flat32(t, bs[0].Inputs[1])
	// A (3 tokens) + B (1) + 3 specials = 7 > 6: A is truncated to 2.
	if ids[0] != tCLS || ids[3] != tSEP || ids[4] != 20 || ids[5] != tSEP || seg[4] != 1 || seg[2] != 0 {
		t.Fatalf("bad encoding %v %v", ids[:6], seg[:6])
	}
	seen := map[int32]int{}
	for _, b := range bs {
		x := flat32(t, b.Inputs[0])
		for row := 0; row < len(x)/6; row++ {
			seen[x[row*6+1]]++
		}
	}
	if len(seen) != 10 {
		t.Errorf("an epoch does not visit every example once: %v", seen)
	}
}

func TestSeq2Seq(t *testing.T) {
	d, err := NewSeq2Seq("s2s", Seq2SeqConfig{Sources: [][]int{{5, 6, 7}}, Targets: [][]int{{8, 9}}, SrcLen: 4, TgtLen: 4,
		BatchSize: 2, BOS: 1, EOS: 2, PAD: 0, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	b := collect(t, d, 1)[0]
	src, mask, in := flat32(t, b.Inputs[0]), flat32(t, b.Inputs[1]), flat32(t, b.Inputs[2])
	out, w := flat32(t, b.Labels[0]), flatF(t, b.Labels[1])
	if !reflect.DeepEqual(src[:4], []int32{5, 6, 7, 0}) || !reflect.DeepEqual(mask[:4], []int32{1, 1, 1, 0}) ||
		!reflect.DeepEqual(in[:4], []int32{1, 8, 9, 0}) || !reflect.DeepEqual(out[:4], []int32{8, 9, 2, 0}) ||
		!reflect.DeepEqual(w[:4], []float32{1, 1, 1, 0}) {
		t.Fatalf("src %v mask %v in %v out %v w %v", src, mask, in, out, w)
	}
	if _, err := NewSeq2Seq("bad", Seq2SeqConfig{Sources: [][]int{{1, 2, 3, 4, 5}}, Targets: [][]int{{1}}, SrcLen: 4, TgtLen: 4, BatchSize: 1}); err == nil {
		t.Error("too long source accepted")
	}
}

func TestEncodeDocs(t *testing.T) {
	poems := []Poem{{ID: "1", Lines: []string{"ab", "cd"}}}
	enc := func(s string) ([]int, error) {
		var ids []int
		for _, r := range s {
			ids = append(ids, int(r))
		}
		return ids, nil
	}
	docs, err := EncodeDocs(PoemDocs(poems), enc)
	if err != nil || !reflect.DeepEqual(docs, [][][]int{{{97, 98}, {99, 100}}}) {
		t.Fatalf("%v %v", docs, err)
	}
}
