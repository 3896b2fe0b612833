package gpt

import (
	"fmt"

	"github.com/bert2gpt/bert2gpt/transformer"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// The KV cache. Generation re-reads the keys and values of every earlier position at every new
// token; the cache keeps them instead of recomputing them. It is static-shaped: one key tensor
// and one value tensor per layer,
//
//	cache[2·i]   = keys of layer i     [batch, heads, maxLen, headDim]
//	cache[2·i+1] = values of layer i   [batch, heads, maxLen, headDim]
//
// which are inputs and outputs of one compiled step function. Step t writes the new key/value at
// slot t with DynamicUpdateSlice and attends over all maxLen slots with the mask iota ≤ t, so one
// graph serves every step. Generate donates the cache tensors to the step (DonateTensorBuffer),
// so the backend may write the new slot in place instead of copying the cache.
//
// Measured with BenchmarkGenerate256 (256 tokens with the cache, tokens/s):
//   - until compute v0.1.14 the pure-Go backend had no DynamicUpdateSlice and the write was a Where
//     over the whole cache on the mask iota == t; Where → DynamicUpdateSlice: Go backend 4×128
//     68 → 196, 6×384 13 → 42; XLA 739 → 808 and 110 → 105 (noise);
//   - the cache was one tensor [layers, 2, batch, maxLen, heads, headDim], sliced per layer and
//     re-stacked at every step (five copies of the whole cache per token, 8% of the time in Slice);
//     one donated tensor per layer and kind: 4×128 154 → 242, 6×384 28 → 41 on the Go backend;
//   - the cache was [batch, maxLen, heads, headDim] (the model's own layout), so every step
//     transposed every layer's whole cache to multiply it (18% of the 6×384 step); heads-first
//     it is multiplied where it lies (transformer.HeadsFirstAttentionWeights): NUMBERS_HEADS_FIRST.

// CacheShapes returns the shapes of the 2·n_layer cache tensors (keys and values of each layer,
// in that order) for a batch and a cache length.
func (c Config) CacheShapes(batch, maxLen int) []shapes.Shape {
	out := make([]shapes.Shape, 2*c.NLayer)
	for i := range out {
		out[i] = shapes.Make(dtypes.Float32, batch, c.NHead, maxLen, c.HeadDim())
	}
	return out
}

// NewCache returns an empty (all-zero) cache for a batch and a cache length, laid out as CacheShapes.
func (c Config) NewCache(batch, maxLen int) []*tensors.Tensor {
	shapes := c.CacheShapes(batch, maxLen)
	out := make([]*tensors.Tensor, len(shapes))
	for i, s := range shapes {
		out[i] = tensors.FromShape(s)
	}
	return out
}

// Step runs one token per sequence through the model with the cache:
// token [batch, 1] int32 at position pos (scalar int32, the same for the batch),
// cache (CacheShapes: keys and values of each layer, [batch, heads, maxLen, headDim]) holding
// positions < pos → logits [batch, V] for the next token and the cache with slot pos filled in.
func Step(scope *model.Scope, c Config, token, pos *Node, cache []*Node) (logits *Node, newCache []*Node) {
	if len(cache) != 2*c.NLayer {
		panic(fmt.Errorf("gpt.Step: cache has %d tensors, want 2·n_layer = %d (keys and values of each layer)", len(cache), 2*c.NLayer))
	}
	g := token.Graph()
	batch, maxLen := cache[0].Shape().Dim(0), cache[0].Shape().Dim(2)
	pos = ConvertDType(pos, dtypes.Int32)
	positions := Reshape(pos, 1)           // [1]: this step's position
	x := embed(scope, c, token, positions) // [batch, 1, d]
	pe := c.PositionEncoding()
	slots := Iota(g, shapes.Make(dtypes.Int32, maxLen), 0)
	attendMask := Reshape(LessOrEqual(slots, pos), 1, 1, 1, maxLen) // keys 0…pos
	zero := ScalarZero(g, dtypes.Int32)
	newCache = make([]*Node, len(cache))
	hScope := scope.In("h")
	for i := range c.NLayer {
		block := hScope.In("%d", i)
		att := block.In("attn")
		q, k, v := qkv(att, c, transformer.LayerNorm(block.In("ln_1"), x, c.LayerNormEpsilon)) // [batch, 1, heads, headDim]
		q, k = pe.Rotate(q, k, positions)                                                      // RoPE: the key is cached rotated
		start := []*Node{zero, zero, pos, zero}
		keys := DynamicUpdateSlice(cache[2*i], Transpose(k, 1, 2), start)     // keys[:, :, pos] = k[:, 0]
		values := DynamicUpdateSlice(cache[2*i+1], Transpose(v, 1, 2), start) // values[:, :, pos] = v[:, 0]
		newCache[2*i], newCache[2*i+1] = keys, values
		x = Add(x, attendCached(att, c, q, keys, values, attendMask))
		x = Add(x, mlp(block.In("mlp"), c, transformer.LayerNorm(block.In("ln_2"), x, c.LayerNormEpsilon)))
	}
	h := transformer.LayerNorm(scope.In("ln_f"), x, c.LayerNormEpsilon)
	logits = Reshape(head(scope, c, h), batch, c.VocabSize)
	return logits, newCache
}

// attendCached is attend over the heads-first cache: q [batch, 1, heads, headDim], keys and values
// [batch, heads, maxLen, headDim] → [batch, 1, d] (inference only, so no dropout).
func attendCached(scope *model.Scope, c Config, q, keys, values, mask *Node) *Node {
	w := transformer.HeadsFirstAttentionWeights(q, keys, mask) // [batch, heads, 1, maxLen]
	out := Reshape(transformer.ApplyHeadsFirstAttention(w, values), q.Shape().Dim(0), 1, c.NEmbd)
	return linear(scope.In("c_proj"), out, c.NEmbd, c.residStd())
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
