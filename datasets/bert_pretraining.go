package datasets

import (
	"iter"
	"math/rand/v2"

	"github.com/gomlx/gomlx/ml/train"
	"github.com/pkg/errors"
)

// BERTConfig configures [BERTPretraining].
type BERTConfig struct {
	// Docs are the documents (e.g. poems), each a list of sentences (e.g. lines), each
	// the token ids of the sentence without any special token.
	Docs [][][]int
	// MaxLen is the sequence length T, [CLS] and [SEP]s included.
	MaxLen int
	// BatchSize is B.
	BatchSize int
	// CLS, SEP, PAD: special token ids.
	CLS, SEP, PAD int
	// Mask is the masked-LM recipe; CLS, SEP and PAD are added to its Specials.
	Mask MaskConfig
	// NoNSP, if true, makes single-segment examples (consecutive sentences of one
	// document while they fit) and NSP labels are all 0.
	NoNSP bool
	// Seed makes the data deterministic.
	Seed uint64
	// NumBatches, if > 0, ends each pass after that many batches (else endless).
	NumBatches int
}

// BERTExample is one pre-training example, every slice of length MaxLen.
type BERTExample struct {
	InputIDs      []int32   // [CLS] A [SEP] B [SEP] [PAD]…, after masking
	SegmentIDs    []int32   // 0 for [CLS] A [SEP], 1 for B [SEP], 0 for padding
	AttentionMask []int32   // 1 for real tokens, 0 for padding
	MLMLabels     []int32   // original id where selected for prediction, else IgnoreIndex
	MLMWeights    []float32 // 1 where selected, else 0
	NSPLabel      int32     // 0: B follows A in the document; 1: B is a random sentence
}

// BERTPretraining yields BERT pre-training batches (ch07): next-sentence pairs (50% the
// true next sentence of the same document, 50% a random sentence of another document)
// and masked-LM targets (see [MaskTokens]). Specials are never masked.
//
// Batch.Inputs = [input_ids, segment_ids, attention_mask], each int32 [B, T];
// Batch.Labels = [mlm_labels int32 [B, T] (IgnoreIndex where not predicted),
// mlm_weights float32 [B, T], nsp_labels int32 [B]].
type BERTPretraining struct {
	stream
	name    string
	cfg     BERTConfig
	pairs   []int // docs with at least 2 sentences
	special map[int32]bool
}

// NewBERTPretraining validates cfg and makes the dataset.
func NewBERTPretraining(name string, cfg BERTConfig) (*BERTPretraining, error) {
	if cfg.MaxLen < 5 || cfg.BatchSize < 1 {
		return nil, errors.Errorf("NewBERTPretraining(%q): MaxLen=%d (want ≥ 5) BatchSize=%d (want ≥ 1)", name, cfg.MaxLen, cfg.BatchSize)
	}
	cfg.Mask.Specials = append(append([]int(nil), cfg.Mask.Specials...), cfg.CLS, cfg.SEP, cfg.PAD)
	if err := cfg.Mask.defaults(); err != nil {
		return nil, errors.WithMessagef(err, "NewBERTPretraining(%q)", name)
	}
	d := &BERTPretraining{name: name, cfg: cfg, special: map[int32]bool{int32(cfg.Mask.MaskID): true}}
	d.seed = cfg.Seed
	for _, s := range cfg.Mask.Specials {
		d.special[int32(s)] = true
	}
	nonEmpty := 0
	for i, doc := range cfg.Docs {
		if len(doc) >= 2 {
			d.pairs = append(d.pairs, i)
		}
		if len(doc) > 0 {
			nonEmpty++
		}
	}
	if !cfg.NoNSP && (len(d.pairs) == 0 || nonEmpty < 2) {
		return nil, errors.Errorf("NewBERTPretraining(%q): next-sentence pairs need a document with ≥ 2 sentences and ≥ 2 non-empty documents (have %d documents)", name, len(cfg.Docs))
	}
	if cfg.NoNSP && nonEmpty == 0 {
		return nil, errors.Errorf("NewBERTPretraining(%q): no non-empty document", name)
	}
	return d, nil
}

// Name implements train.Dataset.
func (d *BERTPretraining) Name() string { return d.name }

// Example draws one example with r.
func (d *BERTPretraining) Example(r *rand.Rand) BERTExample {
	c := &d.cfg
	var a, b []int
	var nsp int32
	if c.NoNSP {
		di := r.IntN(len(c.Docs))
		for len(c.Docs[di]) == 0 {
			di = r.IntN(len(c.Docs))
		}
		doc := c.Docs[di]
		for si := r.IntN(len(doc)); si < len(doc); si++ {
			if len(a) > 0 && len(a)+len(doc[si]) > c.MaxLen-2 {
				break
			}
			a = append(a, doc[si]...)
		}
	} else {
		di := d.pairs[r.IntN(len(d.pairs))]
		doc := c.Docs[di]
		si := r.IntN(len(doc) - 1)
		a = doc[si]
		if r.IntN(2) == 0 {
			b = doc[si+1]
		} else {
			nsp = 1
			oj := r.IntN(len(c.Docs))
			for oj == di || len(c.Docs[oj]) == 0 {
				oj = r.IntN(len(c.Docs))
			}
			other := c.Docs[oj]
			b = other[r.IntN(len(other))]
		}
	}
	ex := BERTExample{InputIDs: make([]int32, c.MaxLen), SegmentIDs: make([]int32, c.MaxLen), AttentionMask: make([]int32, c.MaxLen),
		MLMLabels: make([]int32, c.MaxLen), MLMWeights: make([]float32, c.MaxLen), NSPLabel: nsp}
	packPair(a, b, !c.NoNSP, c.CLS, c.SEP, c.PAD, ex.InputIDs, ex.SegmentIDs, ex.AttentionMask)
	maskTokens(r, ex.InputIDs, ex.MLMLabels, ex.MLMWeights, &c.Mask, d.special)
	return ex
}

// Iter implements train.Dataset.
func (d *BERTPretraining) Iter() iter.Seq2[train.Batch, error] {
	return func(yield func(train.Batch, error) bool) {
		r, _ := d.nextRand()
		B, T := d.cfg.BatchSize, d.cfg.MaxLen
		for n := 0; d.cfg.NumBatches <= 0 || n < d.cfg.NumBatches; n++ {
			ids, seg, mask := make([]int32, B*T), make([]int32, B*T), make([]int32, B*T)
			labels, weights, nsp := make([]int32, B*T), make([]float32, B*T), make([]int32, B)
			for b := range B {
				ex := d.Example(r)
				copy(ids[b*T:], ex.InputIDs)
				copy(seg[b*T:], ex.SegmentIDs)
				copy(mask[b*T:], ex.AttentionMask)
				copy(labels[b*T:], ex.MLMLabels)
				copy(weights[b*T:], ex.MLMWeights)
				nsp[b] = ex.NSPLabel
			}
			batch := train.Batch{
				Inputs: []*tensorT{int32Tensor(ids, B, T), int32Tensor(seg, B, T), int32Tensor(mask, B, T)},
				Labels: []*tensorT{int32Tensor(labels, B, T), float32Tensor(weights, B, T), int32Tensor(nsp, B)},
			}
			if !yield(batch, nil) {
				return
			}
		}
	}
}
