package gpt

import (
	"github.com/bert2gpt/bert2gpt/transformer"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// The KV cache. Generation re-reads the keys and values of every earlier position at every new
// token; the cache keeps them instead of recomputing them. The cache is static-shaped:
//
//	cache [layers, 2, batch, maxLen, heads, headDim]   (2 = key, value)
//
// is an input and an output of one compiled step function. Step t writes the new key/value at
// position t with DynamicUpdateSlice, and attends over all maxLen slots with the mask iota ≤ t,
// so one graph serves every step. (Until compute v0.1.14 the pure-Go backend had no
// DynamicUpdateSlice and the write was a Where over the whole cache on the mask iota == t;
// measured with BenchmarkGenerate256, 256 tokens with the cache, Where → DynamicUpdateSlice:
// Go backend 4×128 68 → 196 tokens/s, 6×384 13 → 42; XLA 739 → 808 and 110 → 105, i.e. noise.)

// CacheShape returns the cache shape for a batch and a cache length.
func (c Config) CacheShape(batch, maxLen int) shapes.Shape {
	return shapes.Make(dtypes.Float32, c.NLayer, 2, batch, maxLen, c.NHead, c.HeadDim())
}

// Step runs one token per sequence through the model with the cache:
// token [batch, 1] int32 at position pos (scalar int32, the same for the batch),
// cache [layers, 2, batch, maxLen, heads, headDim] holding positions < pos →
// logits [batch, V] for the next token and the cache with position pos filled in.
func Step(scope *model.Scope, c Config, token, pos, cache *Node) (logits, newCache *Node) {
	g := token.Graph()
	batch, maxLen := cache.Shape().Dim(2), cache.Shape().Dim(3)
	pos = ConvertDType(pos, dtypes.Int32)
	x := embed(scope, c, token, Reshape(pos, 1)) // [batch, 1, d]
	slots := Iota(g, shapes.Make(dtypes.Int32, maxLen), 0)
	attendMask := Reshape(LessOrEqual(slots, pos), 1, 1, 1, maxLen) // keys 0…pos
	zero := ScalarZero(g, dtypes.Int32)
	layers := make([]*Node, c.NLayer)
	hScope := scope.In("h")
	for i := range c.NLayer {
		block := hScope.In("%d", i)
		att := block.In("attn")
		q, k, v := qkv(att, c, transformer.LayerNorm(block.In("ln_1"), x, c.LayerNormEpsilon)) // [batch, 1, heads, headDim]
		layerCache := Squeeze(SliceAxis(cache, 0, AxisElem(i)), 0)                             // [2, batch, maxLen, heads, headDim]
		write := func(which int, fresh *Node) *Node {
			old := Squeeze(SliceAxis(layerCache, 0, AxisElem(which)), 0)          // [batch, maxLen, heads, headDim]
			return DynamicUpdateSlice(old, fresh, []*Node{zero, pos, zero, zero}) // old[:, pos] = fresh[:, 0]
		}
		keys, values := write(0, k), write(1, v)
		layers[i] = Stack([]*Node{keys, values}, 0)
		x = Add(x, attend(att, c, q, keys, values, attendMask))
		x = Add(x, mlp(block.In("mlp"), c, transformer.LayerNorm(block.In("ln_2"), x, c.LayerNormEpsilon)))
	}
	h := transformer.LayerNorm(scope.In("ln_f"), x, c.LayerNormEpsilon)
	logits = Reshape(head(scope, c, h), batch, c.VocabSize)
	return logits, Stack(layers, 0)
}

// WindowLogits is the uncached counterpart of Step: it runs the whole window tokens [batch, W]
// (positions after pos may hold anything: the causal mask hides them) and returns the logits at
// position pos, [batch, V]. Generation without a cache calls it once per new token.
func WindowLogits(scope *model.Scope, c Config, tokens, pos *Node) *Node {
	batch, w := tokens.Shape().Dim(0), tokens.Shape().Dim(1)
	h := Hidden(scope, c, tokens) // [batch, W, d]
	sel := Equal(Iota(tokens.Graph(), shapes.Make(dtypes.Int32, w), 0), ConvertDType(pos, dtypes.Int32))
	row := ReduceSum(Mul(h, Reshape(ConvertDType(sel, h.DType()), 1, w, 1)), 1) // [batch, d]
	return Reshape(head(scope, c, Reshape(row, batch, 1, c.NEmbd)), batch, c.VocabSize)
}
