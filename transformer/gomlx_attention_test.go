package transformer

import (
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/attention"
	"github.com/gomlx/gomlx/ml/model"
)

func randomTensor(rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

// TestMultiHeadAttentionMatchesGoMLX gives GoMLX's own attention.MultiHeadAttention our
// (randomly initialised) weights and checks both layers compute the same outputs and weights.
func TestMultiHeadAttentionMatchesGoMLX(t *testing.T) {
	const batch, querySeq, width, heads = 2, 5, 8, 2
	rng := rand.New(rand.NewPCG(1, 2))
	valid := tensors.FromValue([][]bool{{true, true, true, true, true, true}, {true, true, true, true, false, false}})
	for _, c := range []struct {
		name            string
		keySeq          int
		padding, causal bool
	}{{"padding", 5, true, false}, {"causal", 5, false, true}, {"cross", 6, true, false}} {
		t.Run(c.name, func(t *testing.T) {
			query := randomTensor(rng, batch, querySeq, width)
			memory := query
			if c.keySeq != querySeq {
				memory = randomTensor(rng, batch, c.keySeq, width)
			}
			validKeys := tensors.FromValue([][]bool{valid.Value().([][]bool)[0][:c.keySeq], valid.Value().([][]bool)[1][:c.keySeq]})
			store := model.NewStore()
			ours := model.MustNewExec(testBackend(t), store, func(scope *model.Scope, q, kv, valid *Node) []*Node {
				var mask *Node
				if c.padding {
					mask = PaddingMask(valid)
				}
				if c.causal {
					mask = CausalMask(q.Graph(), querySeq, c.keySeq)
				}
				out, w := MultiHeadAttention(scope.In("ours"), q, kv, kv, mask, heads, 0)
				return []*Node{out, w}
			})
			want := ours.MustCall(query, memory, validKeys)

			// Copy our variables to the names GoMLX uses; UseTransposedWeights makes it read
			// weights as [out, in], the nn.Linear layout we store.
			for _, proj := range []string{"query", "key", "value", "output"} {
				for ourName, theirName := range map[string]string{"weight": "weights", "bias": "biases"} {
					v := store.GetVariable("/ours/" + proj + "/" + ourName)
					// GoMLX's q/k/v projections are Dense(…, heads, headDim): the same [heads·headDim, in] weight.
					if _, err := store.CreateVariable("/theirs/MultiHeadAttention/"+proj+"/dense/"+theirName, v.MustValue()); err != nil {
						t.Fatal(err)
					}
				}
			}
			theirs := model.MustNewExec(testBackend(t), store, func(scope *model.Scope, q, kv, valid *Node) []*Node {
				b := attention.MultiHeadAttention(scope.In("theirs"), q, kv, kv, heads, width/heads).UseTransposedWeights(true)
				if c.padding {
					b = b.WithKeyMask(valid)
				}
				if c.causal {
					b = b.WithCausalMask(true)
				}
				out, coef := b.DoneWithCoefficients()                   // coef: [batch, querySeq, heads, keySeq]
				return []*Node{out, TransposeAllAxes(coef, 0, 2, 1, 3)} // → [batch, heads, querySeq, keySeq]
			})
			got := theirs.MustCall(query, memory, validKeys)
			if n := store.NumVariables(); n != 16+1 { // +1: the store's random-number state
				for v := range store.IterVariables() {
					t.Log(v.Path(), v.Shape())
				}
				t.Fatalf("store has %d variables, want 17 (GoMLX created extra ones: a name differs)", n)
			}
			for i, name := range []string{"output", "weights"} {
				d := maxDiff(want[i], got[i])
				t.Logf("%s: max |ours − GoMLX| = %.2e", name, d)
				if d > 1e-5 {
					t.Errorf("%s differs from GoMLX by %g", name, d)
				}
			}
		})
	}
}
