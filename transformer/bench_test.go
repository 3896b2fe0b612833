package transformer

import (
	"math/rand/v2"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/attention"
	"github.com/gomlx/gomlx/ml/model"
)

// Benchmarks: one forward + backward pass (gradients of sum(out·R) with respect to the input and
// every parameter) at the course's small-GPT size. They use the project's backend choice
// (backend.New: GOMLX_BACKEND, else an installed XLA plugin, else the safe Go backend).
// scripts/bench/transformer_bench.py measures the same in PyTorch.
//
//	GOEXPERIMENT=simd go test -run '^$' -bench . -benchtime 20x ./transformer/
//	GOMLX_BACKEND=go GOEXPERIMENT=simd go test -run '^$' -bench . -benchtime 20x ./transformer/

const benchBatch, benchSeq, benchWidth, benchHeads = 12, 64, 128, 4

var benchLayer = LayerConfig{Width: benchWidth, NumHeads: benchHeads, FFNWidth: 4 * benchWidth,
	Activation: GELU, NormFirst: true, LayerNormEpsilon: 1e-5}

// benchForwardBackward times f's forward and backward pass on a random [batch, seq, width] input.
func benchForwardBackward(b *testing.B, f func(scope *model.Scope, x *Node) *Node) {
	bk, err := backend.New()
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("backend: %s", backend.Chosen().Config)
	rng := rand.New(rand.NewPCG(5, 6))
	x := randomTensor(rng, benchBatch, benchSeq, benchWidth)
	r := randomTensor(rng, benchBatch, benchSeq, benchWidth)
	store := model.NewStore()
	exec := model.MustNewExec(bk, store, func(scope *model.Scope, x, r *Node) []*Node {
		loss := ReduceAllSum(Mul(f(scope, x), r))
		wrt := []*Node{x}
		for v := range store.IterVariables() {
			if v.Shape().DType.IsFloat() {
				wrt = append(wrt, v.NodeValue(x.Graph()))
			}
		}
		return append([]*Node{loss}, Gradient(loss, wrt...)...)
	})
	step := func() {
		outs := exec.MustCall(x, r)
		_ = outs[0].Value() // reading the loss waits for the computation to finish
		for _, t := range outs {
			t.MustFinalizeAll()
		}
	}
	step() // compile and initialise outside the timed loop
	b.ResetTimer()
	for range b.N {
		step()
	}
}

func BenchmarkEncoderLayer(b *testing.B) {
	postLN := benchLayer
	postLN.NormFirst = false
	benchForwardBackward(b, func(scope *model.Scope, x *Node) *Node {
		return EncoderLayer(scope.In("layer"), x, nil, postLN)
	})
}

func BenchmarkPreLNStack4(b *testing.B) {
	benchForwardBackward(b, func(scope *model.Scope, x *Node) *Node {
		mask := CausalMask(x.Graph(), benchSeq, benchSeq)
		return Encoder(scope.In("stack"), x, mask, benchLayer, 4, true)
	})
}

func BenchmarkAttentionOurs(b *testing.B) {
	benchForwardBackward(b, func(scope *model.Scope, x *Node) *Node {
		out, _ := MultiHeadAttention(scope.In("mha"), x, x, x, CausalMask(x.Graph(), benchSeq, benchSeq), benchHeads, 0)
		return out
	})
}

func BenchmarkAttentionGoMLX(b *testing.B) {
	benchForwardBackward(b, func(scope *model.Scope, x *Node) *Node {
		return attention.MultiHeadAttention(scope.In("mha"), x, x, x, benchHeads, benchWidth/benchHeads).
			UseTransposedWeights(true).WithCausalMask(true).Done()
	})
}
