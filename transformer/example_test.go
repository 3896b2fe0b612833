package transformer_test

import (
	"fmt"
	"math"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/bert2gpt/bert2gpt/transformer"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Two queries look at three keys; the second query may not see the last key (causal mask).
func ExampleScaledDotProductAttention() {
	b := backend.MustNew()
	q := [][][][]float32{{{{1, 0}}, {{0, 1}}}}             // [batch=1, seq=2, heads=1, headDim=2]
	k := [][][][]float32{{{{1, 0}}, {{0, 1}}, {{1, 1}}}}   // [1, 3, 1, 2]
	v := [][][][]float32{{{{1, 0}}, {{0, 1}}, {{10, 10}}}} // [1, 3, 1, 2]
	outs := MustExecOnceN(b, func(q, k, v *Node) []*Node {
		mask := transformer.CausalMask(q.Graph(), 2, 3) // query i sees keys j ≤ i+1
		out, weights := transformer.ScaledDotProductAttention(q, k, v, mask)
		return []*Node{out, weights}
	}, q, k, v)
	fmt.Printf("weights %v:\n%.3f\n", outs[1].Shape().Dimensions, outs[1].Value())
	fmt.Printf("output %v:\n%.3f\n", outs[0].Shape().Dimensions, outs[0].Value())
	// Output:
	// weights [1 1 2 3]:
	// [[[[0.670 0.330 0.000] [0.198 0.401 0.401]]]]
	// output [1 2 1 2]:
	// [[[[0.670 0.330]] [[4.209 4.412]]]]
}

// The first positions of the sinusoidal table for a width of 4.
func ExampleSinusoidalTable() {
	for pos, row := range transformer.SinusoidalTable(3, 4) {
		fmt.Printf("pos %d: %.4f\n", pos, row)
	}
	// Output:
	// pos 0: [0.0000 1.0000 0.0000 1.0000]
	// pos 1: [0.8415 0.5403 0.0100 1.0000]
	// pos 2: [0.9093 -0.4161 0.0200 0.9998]
}

// One post-LN encoder layer over a padded batch: the output keeps the input's shape, and each
// position is normalised to mean 0 and variance 1 (the LayerNorm gain and bias start at 1 and 0).
func ExampleEncoderLayer() {
	b := backend.MustNew()
	cfg := transformer.LayerConfig{Width: 8, NumHeads: 2, FFNWidth: 32, Activation: transformer.GELU, LayerNormEpsilon: 1e-5}
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	x := tensors.FromScalarAndDimensions(float32(0.5), 2, 5, 8) // [batch=2, seq=5, width=8]
	valid := [][]bool{{true, true, true, true, true}, {true, true, true, false, false}}
	outs := model.MustExecOnceN(b, model.NewStore(), func(scope *model.Scope, x, valid *Node) []*Node {
		y := transformer.EncoderLayer(scope.In("encoder"), x, transformer.PaddingMask(valid), cfg)
		return []*Node{y, ReduceMean(y, -1), ReduceVariance(y, -1)}
	}, x, valid)
	round := func(t *tensors.Tensor) float64 { // first entry, to 2 decimals, without a "-0.00"
		return math.Round(float64(tensors.MustCopyFlatData[float32](t)[0])*100)/100 + 0
	}
	fmt.Println("output shape:", outs[0].Shape().Dimensions)
	fmt.Printf("position 0: mean %.2f, variance %.2f\n", round(outs[1]), round(outs[2]))
	// Output:
	// output shape: [2 5 8]
	// position 0: mean 0.00, variance 1.00
}

// Validate names the value that is wrong.
func ExampleConfig_Validate() {
	cfg := transformer.DefaultConfig(100, 100)
	cfg.NumHeads = 3
	fmt.Println(cfg.Validate())
	// Output:
	// transformer.Config: Width 128 is not divisible by NumHeads 3
}
