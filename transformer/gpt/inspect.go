package gpt

import (
	"fmt"

	"github.com/bert2gpt/bert2gpt/internal/memory"
	"github.com/bert2gpt/bert2gpt/transformer"
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Lower precision and inspection hooks (chapter 15): a model whose weights and activations are
// bfloat16 or float16, the residual stream and attention weights of every block, the logit lens,
// and gradient×input attributions.

// ParamDType is the root-scope parameter (model.Scope.SetParam) that holds the dtype of a model's
// weights and activations (a dtypes.DType); NewWithDType sets it, absent means Float32. Every
// layer below the embeddings follows the dtype of its input.
const ParamDType = "gpt_dtype"

// scopeDType is the model's dtype: ParamDType, or Float32.
func scopeDType(scope *model.Scope) dtypes.DType {
	return model.GetParamOr(scope, ParamDType, dtypes.Float32)
}

// NewWithDType is New for a model whose weights and activations are all of dtype dt: Float32 (the
// same as New), BFloat16 or Float16. It is the "pure" lower-precision model of chapter 15: there
// is no float32 master copy of the weights — AdamW (training.AdamW) computes its moments and the
// update in float32 and rounds the new weight back to dt, so an update smaller than half the
// spacing of dt's values near a weight is lost. Logits come out in dt; Loss and the trainer's loss
// are computed in float32. The KV cache (Generate, NewStepper) and the checkpoint files are float32
// only.
func NewWithDType(backend compute.Backend, c Config, dt dtypes.DType) (*Model, error) {
	switch dt {
	case dtypes.Float32, dtypes.BFloat16, dtypes.Float16:
	default:
		return nil, fmt.Errorf("gpt.NewWithDType: dtype %s: want Float32, BFloat16 or Float16", dt)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := memory.Check(fmt.Sprintf("gpt.NewWithDType: a model of %d parameters", ParamCount(c)), c.WeightBytes()); err != nil {
		return nil, err
	}
	store := model.NewStore()
	store.RootScope().SetParam(ParamDType, dt)
	return newWithStore(backend, c, store)
}

// DType is the dtype of the model's weights and activations (NewWithDType; Float32 otherwise).
func (m *Model) DType() dtypes.DType { return scopeDType(m.Store.RootScope()) }

// inspect builds an executor over the model's store, compiles it for tokens of the given shape and
// initialises the variables (under the model's lock), and runs it on tokens.
func (m *Model) inspect(what string, tokens [][]int32, fn func(scope *model.Scope, tokens *Node) []*Node) ([]*tensors.Tensor, error) {
	if err := m.Config.CheckTokens(tokens); err != nil {
		return nil, err
	}
	var out []*tensors.Tensor
	err := transformer.Catch("gpt.Model."+what, func() error {
		exec, err := model.NewExec(m.Backend, m.Store, fn)
		if err != nil {
			return err
		}
		defer exec.Finalize()
		if err := m.prepare(exec, tokenShape(len(tokens), len(tokens[0]))); err != nil {
			return err
		}
		out, err = exec.Call(tensors.FromValue(tokens))
		return err
	})
	return out, err
}

// ResidualStream returns the residual stream of every block for tokens [batch][seq]: L+1 tensors
// [batch, seq, d] in the model's dtype, where [0] is the embeddings wte[tokens] + wpe[positions],
// [l] the input of block l, and [L] the output of the last block (the input of ln_f). Linear probes
// (chapter 15) read these.
func (m *Model) ResidualStream(tokens [][]int32) ([]*tensors.Tensor, error) {
	c := m.Config
	return m.inspect("ResidualStream", tokens, func(scope *model.Scope, tokens *Node) []*Node {
		tr := &trace{}
		hidden(scope, c, tokens, forward{trace: tr})
		return tr.residual
	})
}

// AttentionMaps returns the attention weights of every block for tokens [batch][seq]: L tensors
// [batch, heads, seq, seq] (query × key; each row sums to 1, zero right of the diagonal).
func (m *Model) AttentionMaps(tokens [][]int32) ([]*tensors.Tensor, error) {
	c := m.Config
	return m.inspect("AttentionMaps", tokens, func(scope *model.Scope, tokens *Node) []*Node {
		tr := &trace{}
		hidden(scope, c, tokens, forward{trace: tr})
		return tr.attention
	})
}

// LogitLens returns, for every layer l = 0…L, the log-probabilities [batch, seq, V] (float32) that
// the model's own output head gives to the residual stream x_l: log_softmax(ln_f(x_l)·wteᵀ) — what
// the model "would predict" if it stopped after l blocks (nostalgebraist's logit lens, 2020). The
// last one is log_softmax(Logits).
func (m *Model) LogitLens(tokens [][]int32) ([]*tensors.Tensor, error) {
	c := m.Config
	return m.inspect("LogitLens", tokens, func(scope *model.Scope, tokens *Node) []*Node {
		tr := &trace{}
		hidden(scope, c, tokens, forward{trace: tr})
		out := make([]*Node, len(tr.residual))
		for l, x := range tr.residual {
			h := transformer.LayerNorm(scope.At("ln_f"), x, c.LayerNormEpsilon) // the same ln_f as the model's output
			out[l] = LogSoftmax(ConvertDType(head(scope, c, h), dtypes.Float32), -1)
		}
		return out
	})
}

// Attribution is a gradient×input attribution of one prediction.
type Attribution struct {
	// LogProb is log P(target | tokens[:position+1]).
	LogProb float64
	// Scores[i] = Σ_d ∂LogProb/∂x0[i,d] · x0[i,d] for input positions i = 0…position, where x0 is
	// the embeddings (token + position): by a first-order Taylor expansion, how much position i's
	// embedding contributes to LogProb (positive: raises it). Positions after `position` get 0 (the
	// causal mask), which the tests check.
	Scores []float64
	// GradNorm[i] is ‖∂LogProb/∂x0[i]‖: the plain gradient ("saliency") without the input.
	GradNorm []float64
}

// Attribute explains one next-token prediction of a single row of tokens: the prediction at
// `position` (of tokens[position+1], or of any target id) by gradient×input on the embeddings.
func (m *Model) Attribute(tokens []int32, position int, target int32) (Attribution, error) {
	c := m.Config
	if position < 0 || position >= len(tokens) {
		return Attribution{}, fmt.Errorf("gpt.Model.Attribute: position %d outside [0, %d)", position, len(tokens))
	}
	if target < 0 || int(target) >= c.VocabSize {
		return Attribution{}, fmt.Errorf("gpt.Model.Attribute: target %d outside [0, vocab_size=%d)", target, c.VocabSize)
	}
	seq := len(tokens)
	out, err := m.inspect("Attribute", [][]int32{tokens}, func(scope *model.Scope, tok *Node) []*Node {
		g := tok.Graph()
		var x0 *Node
		h := hidden(scope, c, tok, forward{x0: &x0})
		logp := LogSoftmax(ConvertDType(head(scope, c, h), dtypes.Float32), -1) // [1, seq, V]
		// Select logp[0, position, target] with one-hot masks (no dynamic slicing: every backend).
		pick := Mul(InsertAxes(OneHot(Const(g, int32(position)), seq, dtypes.Float32), -1),
			InsertAxes(OneHot(Const(g, target), c.VocabSize, dtypes.Float32), 0)) // [seq, V]
		lp := ReduceAllSum(Mul(logp, InsertAxes(pick, 0)))
		grad := ConvertDType(Gradient(lp, x0)[0], dtypes.Float32) // [1, seq, d]
		x := ConvertDType(x0, dtypes.Float32)
		return []*Node{lp, ReduceSum(Mul(grad, x), -1), Sqrt(ReduceSum(Square(grad), -1))}
	})
	if err != nil {
		return Attribution{}, err
	}
	a := Attribution{LogProb: float64(out[0].Value().(float32))}
	scores, norms := out[1].Value().([][]float32)[0], out[2].Value().([][]float32)[0]
	for i := range seq {
		a.Scores = append(a.Scores, float64(scores[i]))
		a.GradNorm = append(a.GradNorm, float64(norms[i]))
	}
	return a, nil
}
