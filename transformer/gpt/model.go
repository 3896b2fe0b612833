package gpt

import (
	"math"

	"github.com/bert2gpt/bert2gpt/transformer"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// Variable layout (scopes follow HF GPT-2 checkpoint keys; Linear weights are [out, in] like
// PyTorch's nn.Linear, while HF's Conv1D stores [in, out] — the loader transposes):
//
//	/wte/weight                [V, d]     token embedding, also the LM head (tied)
//	/wpe/weight                [P, d]     learned positions
//	/h/<i>/ln_1/{gain,bias}    [d]        LayerNorm before attention
//	/h/<i>/attn/c_attn/{weight [3d, d], bias [3d]}   fused query|key|value projection
//	/h/<i>/attn/c_proj/{weight [d, d], bias [d]}     attention output projection
//	/h/<i>/ln_2/{gain,bias}    [d]        LayerNorm before the MLP
//	/h/<i>/mlp/c_fc/{weight [f, d], bias [f]}
//	/h/<i>/mlp/c_proj/{weight [d, f], bias [d]}
//	/ln_f/{gain,bias}          [d]        final LayerNorm
//
// The fused c_attn is kept as one variable (as in GPT-2) and split into q, k, v in the graph.

// linear is y = x·Wᵀ + b with W [out, in] initialised N(0, std²) and b = 0 (GPT-2 init).
func linear(scope *model.Scope, x *Node, out int, std float64) *Node {
	return transformer.LinearWithInit(scope, x, out, true, normalInit(scope, std))
}

// normalInit draws N(0, std²) weights in float32 and converts them to the variable's dtype:
// GoMLX's RandomNormalFn gives zeros to every dtype but float32 and float64 (bfloat16 included),
// and a lower-precision model (NewWithDType) must start from the float32 model's weights, rounded.
func normalInit(scope *model.Scope, std float64) model.VariableInitializer {
	f32 := initializer.RandomNormalFn(scope, std)
	return func(g *Graph, shape shapes.Shape) *Node {
		if shape.DType == dtypes.Float32 || shape.DType == dtypes.Float64 {
			return f32(g, shape)
		}
		return ConvertDType(f32(g, shapes.Make(dtypes.Float32, shape.Dimensions...)), shape.DType)
	}
}

// activation maps HF's activation_function names onto the transformer package's activations.
func activation(name string) transformer.Activation {
	switch name {
	case "gelu":
		return transformer.GELU
	case "relu":
		return transformer.ReLU
	}
	return transformer.GELUTanh // gelu_new, gelu_pytorch_tanh
}

// residStd is the std of the residual projections: initializer_range/√(2·n_layer) (GPT-2 §2.3:
// "scale the weights of residual layers at initialization by 1/√N", N = 2 residual adds per block).
func (c Config) residStd() float64 { return c.InitializerRange / math.Sqrt(2*float64(c.NLayer)) }

// tokenTable returns wte [V, d].
func tokenTable(scope *model.Scope, g *Graph, c Config) *Node {
	return scope.At("wte").WithInitializer(normalInit(scope, c.InitializerRange)).
		VariableWithShape("weight", shapes.Make(scopeDType(scope), c.VocabSize, c.NEmbd)).NodeValue(g)
}

// embed returns dropout(wte[tokens] + wpe[positions]): tokens [batch, seq] int32, positions [seq]
// or [batch, seq] int32 → [batch, seq, d].
func embed(scope *model.Scope, c Config, tokens, positions *Node) *Node {
	wte := tokenTable(scope, tokens.Graph(), c)
	x := Gather(wte, InsertAxes(tokens, -1)) // [batch, seq, d]
	// wpe[positions] [seq, d] for learned positions; nothing for RoPE (it rotates q and k instead).
	if pos := c.PositionEncoding().Additive(scope.In("wpe"), positions, c.NEmbd, scopeDType(scope)); pos != nil {
		x = Add(x, InsertAxes(pos, 0)) // broadcast over the batch
	}
	return transformer.Dropout(scope.In("drop"), x, c.EmbdPdrop)
}

// qkv applies the fused projection: x [batch, seq, d] → q, k, v [batch, seq, heads, headDim].
func qkv(scope *model.Scope, c Config, x *Node) (q, k, v *Node) {
	b, s, d := x.Shape().Dim(0), x.Shape().Dim(1), c.NEmbd
	fused := linear(scope.In("c_attn"), x, 3*d, c.InitializerRange) // [batch, seq, 3d]
	split := func(i int) *Node {
		return Reshape(SliceAxis(fused, -1, AxisRange(i*d, (i+1)*d)), b, s, c.NHead, c.HeadDim())
	}
	return split(0), split(1), split(2)
}

// attend finishes attention: weights of q over (k, v) under mask, heads merged, c_proj, dropout.
// The weights (before dropout) go to tr when it is not nil.
func attend(scope *model.Scope, c Config, q, k, v, mask *Node, tr *trace) *Node {
	b, s := q.Shape().Dim(0), q.Shape().Dim(1)
	w := transformer.AttentionWeightsFor(q, k, mask, scope.IsTraining(q.Graph())) // [batch, heads, q, k]
	if tr != nil {
		tr.attention = append(tr.attention, w)
	}
	w = transformer.Dropout(scope.In("attn_drop"), w, c.AttnPdrop)
	out := Reshape(transformer.ApplyAttention(w, v), b, s, c.NEmbd) // [batch, seq, d]
	out = linear(scope.In("c_proj"), out, c.NEmbd, c.residStd())
	return transformer.Dropout(scope.In("resid_drop"), out, c.ResidPdrop)
}

// mlp is c_proj(act(c_fc(x))) with dropout.
func mlp(scope *model.Scope, c Config, x *Node) *Node {
	h := activation(c.ActivationFunction).Apply(linear(scope.In("c_fc"), x, c.Inner(), c.InitializerRange))
	out := linear(scope.In("c_proj"), h, c.NEmbd, c.residStd())
	return transformer.Dropout(scope.In("drop"), out, c.ResidPdrop)
}

// Hidden runs the decoder-only stack (pre-LN blocks, GPT-2):
//
//	x₀ = wte[tokens] + wpe[0…T−1]
//	x  = x + Attn(LN₁(x))     causal: position i sees positions ≤ i
//	x  = x + MLP(LN₂(x))
//	h  = LN_f(x)
//
// tokens [batch, seq] int32 (seq ≤ n_positions) → h [batch, seq, d].
func Hidden(scope *model.Scope, c Config, tokens *Node) *Node {
	return hidden(scope, c, tokens, forward{})
}

// forward holds options of the forward pass that change how it is computed or what it reports,
// never its result.
type forward struct {
	// checkpoint turns on gradient checkpointing (GoMLX's Node.Checkpoint): each block's input is
	// kept for the backward pass and everything inside a block is recomputed there instead of kept.
	checkpoint bool
	// trace, when not nil, collects the residual stream and the attention weights.
	trace *trace
	// x0, when set, receives the embeddings wte[tokens] + wpe[positions] (attributions take the
	// gradient with respect to them).
	x0 **Node
}

// trace collects intermediate values of one forward pass: residual[l] is the residual stream x_l
// before block l (residual[0] = the embeddings, residual[L] = the input of ln_f), attention[l] the
// attention weights [batch, heads, seq, seq] of block l.
type trace struct {
	residual, attention []*Node
}

func hidden(scope *model.Scope, c Config, tokens *Node, f forward) *Node {
	g := tokens.Graph()
	seq := tokens.Shape().Dim(1)
	positions := Iota(g, shapes.Make(dtypes.Int32, seq), 0) // 0 … seq−1
	x := embed(scope, c, tokens, positions)
	pe := c.PositionEncoding()
	if f.x0 != nil {
		*f.x0 = x
	}
	mask := transformer.CausalMask(g, seq, seq) // [1, 1, seq, seq]
	hScope := scope.In("h")
	for i := range c.NLayer {
		if f.trace != nil {
			f.trace.residual = append(f.trace.residual, x)
		}
		if f.checkpoint {
			x = x.Checkpoint() // the block below is recomputed during the backward pass
		}
		block := hScope.In("%d", i)
		att := block.In("attn")
		q, k, v := qkv(att, c, transformer.LayerNorm(block.In("ln_1"), x, c.LayerNormEpsilon))
		q, k = pe.Rotate(q, k, positions) // RoPE; unchanged for learned positions
		x = Add(x, attend(att, c, q, k, v, mask, f.trace))
		x = Add(x, mlp(block.In("mlp"), c, transformer.LayerNorm(block.In("ln_2"), x, c.LayerNormEpsilon)))
	}
	if f.checkpoint {
		x = x.StopCheckpoint()
	}
	if f.trace != nil {
		f.trace.residual = append(f.trace.residual, x)
	}
	return transformer.LayerNorm(scope.In("ln_f"), x, c.LayerNormEpsilon)
}

// head is the tied LM head: logits = h·wteᵀ, [batch, seq, d] → [batch, seq, V].
func head(scope *model.Scope, c Config, h *Node) *Node {
	wte := tokenTable(scope, h.Graph(), c)
	if transformer.WeightLeftFaster(h) { // one token per sequence on the Go backend: see there
		return transformer.ProjectWeightLeft(h, wte)
	}
	return Einsum("bsd,vd->bsv", h, wte)
}

// Logits is the language model: tokens [batch, seq] int32 → next-token logits [batch, seq, V].
func Logits(scope *model.Scope, c Config, tokens *Node) *Node {
	return head(scope, c, Hidden(scope, c, tokens))
}

// LogitsCheckpointed is Logits with gradient checkpointing (GoMLX's Node.Checkpoint at the input of
// every block): the same values and gradients, but the backward pass recomputes each block's
// activations from its input instead of keeping them all from the forward pass — less memory, one
// more forward pass of compute. TrainConfig.Checkpoint trains with it.
func LogitsCheckpointed(scope *model.Scope, c Config, tokens *Node) *Node {
	return head(scope, c, hidden(scope, c, tokens, forward{checkpoint: true}))
}
