package transformer

import (
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// EncoderLayer is one layer of the Transformer encoder: self-attention then feed-forward, each
// wrapped in a residual connection and a LayerNorm. x is [batch, seq, width]; mask is a bool
// key mask such as PaddingMask(...) [batch, 1, 1, seq] or nil; the result has x's shape.
//
//	post-LN (cfg.NormFirst false, original/BERT):  x = LN₁(x + SA(x));   x = LN₂(x + FFN(x))
//	pre-LN  (cfg.NormFirst true,  GPT-2):          x = x + SA(LN₁(x));   x = x + FFN(LN₂(x))
//
// Sub-layer outputs pass through dropout (while training) before the residual add.
// Variables: "self_attn" (MultiHeadAttention), "norm1", "ffn" (FeedForward), "norm2".
func EncoderLayer(scope *model.Scope, x, mask *Node, cfg LayerConfig) *Node {
	out, _ := EncoderLayerWithWeights(scope, x, mask, cfg)
	return out
}

// EncoderLayerWithWeights is EncoderLayer that also returns the self-attention weights
// [batch, heads, seq, seq] (query × key, rows summing to 1; before attention dropout), for
// attention maps. A graph that does not output them does not compute them.
func EncoderLayerWithWeights(scope *model.Scope, x, mask *Node, cfg LayerConfig) (out, weights *Node) {
	selfAttention := func(s *model.Scope, h *Node) *Node {
		var o *Node
		o, weights = MultiHeadAttention(s, h, h, h, mask, cfg.NumHeads, cfg.Dropout)
		return o
	}
	feedForward := func(s *model.Scope, h *Node) *Node {
		return FeedForward(s, h, cfg.FFNWidth, cfg.Activation, cfg.Dropout)
	}
	x = residual(scope, x, cfg, "self_attn", "norm1", selfAttention)
	return residual(scope, x, cfg, "ffn", "norm2", feedForward), weights
}

// residual wraps one sub-layer f with its residual connection and LayerNorm, post-LN or pre-LN.
func residual(scope *model.Scope, x *Node, cfg LayerConfig, sublayerName, normName string,
	f func(*model.Scope, *Node) *Node) *Node {
	drop := func(h *Node) *Node { return Dropout(scope.In("%s_dropout", sublayerName), h, cfg.Dropout) }
	if cfg.NormFirst {
		return Add(x, drop(f(scope.In("%s", sublayerName), LayerNorm(scope.In("%s", normName), x, cfg.LayerNormEpsilon))))
	}
	return LayerNorm(scope.In("%s", normName), Add(x, drop(f(scope.In("%s", sublayerName), x))), cfg.LayerNormEpsilon)
}

// Encoder stacks numLayers EncoderLayers (scopes "layer_0", "layer_1", …) and, when finalNorm,
// a last LayerNorm "norm". x is [batch, seq, width]; mask as in EncoderLayer.
func Encoder(scope *model.Scope, x, mask *Node, cfg LayerConfig, numLayers int, finalNorm bool) *Node {
	for i := range numLayers {
		x = EncoderLayer(scope.In("layer_%d", i), x, mask, cfg)
	}
	if finalNorm {
		x = LayerNorm(scope.In("norm"), x, cfg.LayerNormEpsilon)
	}
	return x
}
