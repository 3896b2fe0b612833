package datasets

import (
	"math/rand/v2"

	"github.com/pkg/errors"
)

// IgnoreIndex marks a position whose MLM label is not predicted (the value PyTorch and
// Hugging Face use); such positions also have weight 0.
const IgnoreIndex = -100

// MaskConfig is BERT's masked-LM recipe.
type MaskConfig struct {
	// VocabSize bounds the random replacement tokens: [0, VocabSize).
	VocabSize int
	// MaskID is the [MASK] token.
	MaskID int
	// Specials are never masked and never drawn as random replacements ([CLS], [SEP],
	// [PAD], [MASK], [UNK], …).
	Specials []int
	// Prob is the chance that each non-special token is selected for prediction (0 → 0.15).
	Prob float64
	// MaskFrac and RandomFrac split the selected tokens: replaced by [MASK] (0 → 0.8), by a
	// random token (0 → 0.1), the rest left unchanged. Set RandomFrac < 0 for none.
	MaskFrac, RandomFrac float64
}

func (c *MaskConfig) defaults() error {
	if c.Prob == 0 {
		c.Prob = 0.15
	}
	if c.MaskFrac == 0 {
		c.MaskFrac = 0.8
	}
	if c.RandomFrac == 0 {
		c.RandomFrac = 0.1
	}
	if c.RandomFrac < 0 {
		c.RandomFrac = 0
	}
	if c.Prob < 0 || c.Prob > 1 || c.MaskFrac < 0 || c.MaskFrac+c.RandomFrac > 1 {
		return errors.Errorf("MaskConfig: bad probabilities Prob=%g MaskFrac=%g RandomFrac=%g", c.Prob, c.MaskFrac, c.RandomFrac)
	}
	if c.VocabSize <= len(c.Specials) || c.MaskID < 0 || c.MaskID >= c.VocabSize {
		return errors.Errorf("MaskConfig: VocabSize=%d, MaskID=%d, %d specials: need MaskID in [0, VocabSize) and some non-special tokens",
			c.VocabSize, c.MaskID, len(c.Specials))
	}
	return nil
}

// MaskTokens applies the masked-LM recipe to ids in place: each non-special token is
// selected with probability Prob (independently, as Hugging Face's collator does, so the
// expected fraction is exactly Prob); a selected token gets its original id as label and
// weight 1 and is replaced by [MASK] (80%), a random non-special token (10%) or kept (10%).
// Other positions get label [IgnoreIndex] and weight 0. It returns labels and weights.
func MaskTokens(r *rand.Rand, ids []int32, cfg MaskConfig) (labels []int32, weights []float32, err error) {
	if err := cfg.defaults(); err != nil {
		return nil, nil, err
	}
	special := make(map[int32]bool, len(cfg.Specials)+1)
	for _, s := range cfg.Specials {
		special[int32(s)] = true
	}
	special[int32(cfg.MaskID)] = true
	labels = make([]int32, len(ids))
	weights = make([]float32, len(ids))
	maskTokens(r, ids, labels, weights, &cfg, special)
	return labels, weights, nil
}

func maskTokens(r *rand.Rand, ids, labels []int32, weights []float32, cfg *MaskConfig, special map[int32]bool) {
	for i, id := range ids {
		labels[i] = IgnoreIndex
		weights[i] = 0
		if special[id] || r.Float64() >= cfg.Prob {
			continue
		}
		labels[i] = id
		weights[i] = 1
		switch u := r.Float64(); {
		case u < cfg.MaskFrac:
			ids[i] = int32(cfg.MaskID)
		case u < cfg.MaskFrac+cfg.RandomFrac:
			for {
				t := int32(r.IntN(cfg.VocabSize))
				if !special[t] {
					ids[i] = t
					break
				}
			}
		}
	}
}
