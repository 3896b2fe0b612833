package datasets

import (
	"iter"

	"github.com/gomlx/gomlx/ml/train"
	"github.com/pkg/errors"
)

// Seq2SeqConfig configures [Seq2Seq]: token-id pairs of a synthetic task (see
// [NumeralTask]) for an encoder-decoder Transformer (ch05).
type Seq2SeqConfig struct {
	Sources, Targets [][]int // same length; ids without specials
	SrcLen, TgtLen   int     // padded lengths; the target length includes BOS/EOS
	BatchSize        int
	BOS, EOS, PAD    int
	Seed             uint64
	// NumBatches, if > 0, ends each pass after that many batches (else endless).
	NumBatches int
}

// Seq2Seq yields teacher-forcing batches for an encoder-decoder, pairs drawn uniformly
// with replacement. Sources and targets longer than their length are an error at
// construction (synthetic tasks should fit), not silently cut.
//
// Batch.Inputs = [source int32 [B, S], source_mask int32 [B, S],
// decoder_input int32 [B, T] (BOS target… PAD)];
// Batch.Labels = [decoder_target int32 [B, T] (target… EOS PAD), target_weights float32 [B, T]].
type Seq2Seq struct {
	stream
	name string
	cfg  Seq2SeqConfig
}

// NewSeq2Seq validates cfg and makes the dataset.
func NewSeq2Seq(name string, cfg Seq2SeqConfig) (*Seq2Seq, error) {
	if len(cfg.Sources) == 0 || len(cfg.Sources) != len(cfg.Targets) || cfg.BatchSize < 1 || cfg.SrcLen < 1 || cfg.TgtLen < 2 {
		return nil, errors.Errorf("NewSeq2Seq(%q): %d sources, %d targets (want equal, > 0), BatchSize=%d, SrcLen=%d, TgtLen=%d",
			name, len(cfg.Sources), len(cfg.Targets), cfg.BatchSize, cfg.SrcLen, cfg.TgtLen)
	}
	for i := range cfg.Sources {
		if len(cfg.Sources[i]) > cfg.SrcLen || len(cfg.Targets[i])+1 > cfg.TgtLen {
			return nil, errors.Errorf("NewSeq2Seq(%q): pair %d has source length %d (max %d) and target length %d (max %d with EOS)",
				name, i, len(cfg.Sources[i]), cfg.SrcLen, len(cfg.Targets[i]), cfg.TgtLen-1)
		}
	}
	d := &Seq2Seq{name: name, cfg: cfg}
	d.seed = cfg.Seed
	return d, nil
}

// Name implements train.Dataset.
func (d *Seq2Seq) Name() string { return d.name }

// Iter implements train.Dataset.
func (d *Seq2Seq) Iter() iter.Seq2[train.Batch, error] {
	return func(yield func(train.Batch, error) bool) {
		r, _ := d.nextRand()
		c := &d.cfg
		B, S, T := c.BatchSize, c.SrcLen, c.TgtLen
		for n := 0; c.NumBatches <= 0 || n < c.NumBatches; n++ {
			src, srcMask := make([]int32, B*S), make([]int32, B*S)
			decIn, decOut, w := make([]int32, B*T), make([]int32, B*T), make([]float32, B*T)
			for b := range B {
				i := r.IntN(len(c.Sources))
				for j := range S {
					src[b*S+j] = int32(c.PAD)
					if j < len(c.Sources[i]) {
						src[b*S+j], srcMask[b*S+j] = int32(c.Sources[i][j]), 1
					}
				}
				tgt := c.Targets[i]
				for j := range T {
					in, out := c.PAD, c.PAD
					switch {
					case j == 0:
						in = c.BOS
					case j-1 < len(tgt):
						in = tgt[j-1]
					}
					switch {
					case j < len(tgt):
						out = tgt[j]
					case j == len(tgt):
						out = c.EOS
					}
					decIn[b*T+j], decOut[b*T+j] = int32(in), int32(out)
					if j <= len(tgt) {
						w[b*T+j] = 1
					}
				}
			}
			batch := train.Batch{
				Inputs: []*tensorT{int32Tensor(src, B, S), int32Tensor(srcMask, B, S), int32Tensor(decIn, B, T)},
				Labels: []*tensorT{int32Tensor(decOut, B, T), float32Tensor(w, B, T)},
			}
			if !yield(batch, nil) {
				return
			}
		}
	}
}
