package bert

import "github.com/bert2gpt/bert2gpt/internal/memory"

// Memory estimates, checked (internal/memory) before a model or its training state is built, so
// that a configuration that cannot fit is an error and not a machine out of memory. They are lower
// bounds: the backend needs more.

// WeightBytes is the memory of the float32 weights of BertForPreTraining with config c.
func (c Config) WeightBytes() int64 { return memory.Product(4, int64(ParamCount(c))) }

// TrainingBytes estimates the memory of a training step on a batch of sequences of seqLen tokens:
// weights, gradients and AdamW's two moments (4 × WeightBytes), plus the activations kept for the
// backward pass — per token and layer about 8·hidden + 2·intermediate values and the heads·seqLen
// attention weights — in float32.
func (c Config) TrainingBytes(batch, seqLen int) int64 {
	H, I, L, A, T := int64(c.HiddenSize), int64(c.IntermediateSize), int64(c.NumHiddenLayers), int64(c.NumAttentionHeads), int64(seqLen)
	perToken := memory.Product(L, 8*H+2*I+A*T)
	weights, acts := memory.Product(4, c.WeightBytes()), memory.Product(4, int64(batch), T, perToken)
	if weights < 0 || acts < 0 || weights > 1<<62-acts {
		return -1
	}
	return weights + acts
}
