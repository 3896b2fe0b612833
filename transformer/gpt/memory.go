package gpt

import "github.com/bert2gpt/bert2gpt/internal/memory"

// Memory estimates, checked (internal/memory) before a model, its training state or a KV cache is
// built, so that a configuration that cannot fit (--preset gpt3-175b: 698 GB of weights) is an
// error and not a machine out of memory. They are lower bounds: the backend needs more.

// WeightBytes is the memory of the model's float32 weights: 4·ParamCount.
func (c Config) WeightBytes() int64 { return memory.Product(4, ParamCount(c)) }

// TrainingBytes estimates the memory of a training step with a batch of sequences of n_positions
// tokens: weights, gradients and AdamW's two moments (4 × WeightBytes), plus the activations kept
// for the backward pass — per token and layer about 8·d values and the n_head·T attention weights,
// and the V logits per token — in float32.
func (c Config) TrainingBytes(batch int) int64 {
	T, d, L, H, V := int64(c.NPositions), int64(c.NEmbd), int64(c.NLayer), int64(c.NHead), int64(c.VocabSize)
	perToken := memory.Product(L, 8*d+H*T) + V
	return sum(memory.Product(4, c.WeightBytes()), memory.Product(4, int64(batch), T, perToken))
}

// CacheBytes is the memory of a KV cache (CacheShapes) for a batch and a cache length:
// 2·n_layer·batch·maxLen·n_embd float32 values.
func (c Config) CacheBytes(batch, maxLen int) int64 {
	return memory.Product(4, 2, int64(c.NLayer), int64(batch), int64(maxLen), int64(c.NEmbd))
}

// sum adds sizes, keeping -1 (overflow) contagious.
func sum(xs ...int64) int64 {
	var s int64
	for _, x := range xs {
		if x < 0 || s > 1<<62-x {
			return -1
		}
		s += x
	}
	return s
}
