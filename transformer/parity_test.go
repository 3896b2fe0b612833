package transformer

import (
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// These tests compare the package with PyTorch, using the fixtures in testdata/
// (written by scripts/reference/transformer_fixtures.py).

func TestMultiHeadAttentionMatchesTorch(t *testing.T) {
	for _, name := range []string{"mha_self", "mha_causal", "mha_cross"} {
		t.Run(name, func(t *testing.T) {
			f := loadFixture(t, name)
			causal, cross := f.Meta["causal"].(bool), f.Meta["cross"].(bool)
			heads := int(f.Meta["heads"].(float64))
			inputs := []input{{"query", f.float32(t, "query"), true}, {"valid", f.bool(t, "valid"), false}}
			if cross {
				inputs = append(inputs, input{"memory", f.float32(t, "memory"), true})
			}
			checkParity(t, f, "mha", inputs, []string{"out", "weights"}, func(scope *model.Scope, in map[string]*Node) []*Node {
				q, kv := in["query"], in["query"]
				if cross {
					kv = in["memory"]
				}
				mask := PaddingMask(in["valid"])
				if causal {
					mask = CombineMasks(mask, CausalMask(q.Graph(), q.Shape().Dim(1), kv.Shape().Dim(1)))
				}
				out, w := MultiHeadAttention(scope, q, kv, kv, mask, heads, 0)
				return []*Node{out, w}
			})
		})
	}
}

func TestLayerNormMatchesTorch(t *testing.T) {
	f := loadFixture(t, "layernorm")
	eps := f.Meta["epsilon"].(float64)
	checkParity(t, f, "ln", []input{{"x", f.float32(t, "x"), true}}, []string{"out"},
		func(scope *model.Scope, in map[string]*Node) []*Node {
			return []*Node{LayerNorm(scope, in["x"], eps)}
		})
}

func TestRMSNormMatchesTorch(t *testing.T) {
	f := loadFixture(t, "rmsnorm")
	eps := f.Meta["epsilon"].(float64)
	checkParity(t, f, "rms", []input{{"x", f.float32(t, "x"), true}}, []string{"out"},
		func(scope *model.Scope, in map[string]*Node) []*Node {
			return []*Node{RMSNorm(scope, in["x"], eps)}
		})
}

func TestActivationsMatchTorch(t *testing.T) {
	f := loadFixture(t, "activations")
	for _, act := range []Activation{ReLU, GELU, GELUTanh} {
		t.Run(act.String(), func(t *testing.T) {
			name := act.String()
			outs := MustExecOnceN(testBackend(t), func(x, r *Node) []*Node {
				y := act.Apply(x)
				return []*Node{y, Gradient(ReduceAllSum(Mul(y, r)), x)[0]}
			}, f.float32(t, "x"), f.float32(t, name+"_R"))
			expectClose(t, f, name, outs[0])
			expectClose(t, f, name+"_grad", outs[1])
		})
	}
}

func TestEncoderLayerMatchesTorch(t *testing.T) {
	for _, name := range []string{"encoder_post", "encoder_pre"} {
		t.Run(name, func(t *testing.T) {
			f := loadFixture(t, name)
			cfg := fixtureLayerConfig(f)
			inputs := []input{{"x", f.float32(t, "x"), true}, {"valid", f.bool(t, "valid"), false}}
			checkParity(t, f, "enc", inputs, []string{"out"}, func(scope *model.Scope, in map[string]*Node) []*Node {
				return []*Node{EncoderLayer(scope, in["x"], PaddingMask(in["valid"]), cfg)}
			})
		})
	}
}

func TestDecoderLayerMatchesTorch(t *testing.T) {
	for _, name := range []string{"decoder_post", "decoder_pre"} {
		t.Run(name, func(t *testing.T) {
			f := loadFixture(t, name)
			cfg := fixtureLayerConfig(f)
			inputs := []input{{"x", f.float32(t, "x"), true}, {"memory", f.float32(t, "memory"), true},
				{"target_valid", f.bool(t, "target_valid"), false}, {"memory_valid", f.bool(t, "memory_valid"), false}}
			checkParity(t, f, "dec", inputs, []string{"out"}, func(scope *model.Scope, in map[string]*Node) []*Node {
				x := in["x"]
				seq := x.Shape().Dim(1)
				selfMask := CombineMasks(PaddingMask(in["target_valid"]), CausalMask(x.Graph(), seq, seq))
				return []*Node{DecoderLayer(scope, x, in["memory"], selfMask, PaddingMask(in["memory_valid"]), cfg)}
			})
		})
	}
}

func TestTransformerMatchesTorch(t *testing.T) {
	f := loadFixture(t, "transformer")
	cfg := LayerConfig{Width: 8, NumHeads: 2, FFNWidth: 16, Activation: ReLU, LayerNormEpsilon: 1e-5}
	inputs := []input{{"source", f.float32(t, "source"), false}, {"target", f.float32(t, "target"), false},
		{"source_valid", f.bool(t, "source_valid"), false}, {"target_valid", f.bool(t, "target_valid"), false}}
	checkParity(t, f, "tr", inputs, []string{"out"}, func(scope *model.Scope, in map[string]*Node) []*Node {
		tgt := in["target"]
		seq := tgt.Shape().Dim(1)
		srcMask := PaddingMask(in["source_valid"])
		memory := Encoder(scope.In("encoder"), in["source"], srcMask, cfg, 2, true)
		tgtMask := CombineMasks(PaddingMask(in["target_valid"]), CausalMask(tgt.Graph(), seq, seq))
		return []*Node{Decoder(scope.In("decoder"), tgt, memory, tgtMask, srcMask, cfg, 2, true)}
	})
}

// fixtureLayerConfig is the LayerConfig of the PyTorch layer that wrote f.
func fixtureLayerConfig(f *fixture) LayerConfig {
	act := ReLU
	if f.Meta["activation"] == "gelu" {
		act = GELU
	}
	return LayerConfig{Width: 8, NumHeads: 2, FFNWidth: 16, Activation: act,
		NormFirst: f.Meta["norm_first"].(bool), LayerNormEpsilon: 1e-5}
}
