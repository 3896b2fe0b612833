package transformer

import (
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// DecoderLayer is one layer of the Transformer decoder: masked self-attention over the target,
// cross-attention from the target to the encoder output ("memory"), then feed-forward — each
// with a residual connection and a LayerNorm, post-LN or pre-LN as in EncoderLayer.
//
//	x:          [batch, targetSeq, width]
//	memory:     [batch, sourceSeq, width]
//	selfMask:   usually CombineMasks(CausalMask(...), target padding mask), or nil
//	memoryMask: usually the source padding mask [batch, 1, 1, sourceSeq], or nil
//
// Variables: "self_attn", "norm1", "cross_attn" (PyTorch: multihead_attn), "norm2", "ffn", "norm3".
func DecoderLayer(scope *model.Scope, x, memory, selfMask, memoryMask *Node, cfg LayerConfig) *Node {
	selfAttention := func(s *model.Scope, h *Node) *Node {
		out, _ := MultiHeadAttention(s, h, h, h, selfMask, cfg.NumHeads, cfg.Dropout)
		return out
	}
	crossAttention := func(s *model.Scope, h *Node) *Node {
		out, _ := MultiHeadAttention(s, h, memory, memory, memoryMask, cfg.NumHeads, cfg.Dropout)
		return out
	}
	feedForward := func(s *model.Scope, h *Node) *Node {
		return FeedForward(s, h, cfg.FFNWidth, cfg.Activation, cfg.Dropout)
	}
	x = residual(scope, x, cfg, "self_attn", "norm1", selfAttention)
	x = residual(scope, x, cfg, "cross_attn", "norm2", crossAttention)
	return residual(scope, x, cfg, "ffn", "norm3", feedForward)
}

// Decoder stacks numLayers DecoderLayers (scopes "layer_0", …) and, when finalNorm, a last
// LayerNorm "norm". Shapes and masks as in DecoderLayer.
func Decoder(scope *model.Scope, x, memory, selfMask, memoryMask *Node, cfg LayerConfig, numLayers int, finalNorm bool) *Node {
	for i := range numLayers {
		x = DecoderLayer(scope.In("layer_%d", i), x, memory, selfMask, memoryMask, cfg)
	}
	if finalNorm {
		x = LayerNorm(scope.In("norm"), x, cfg.LayerNormEpsilon)
	}
	return x
}
