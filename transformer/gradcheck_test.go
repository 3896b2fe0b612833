package transformer

import (
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Finite-difference checks: in float64, the autodiff gradient of L = sum(f(x)·R) must agree with
// (L(θ+h) − L(θ−h)) / 2h for a sample of input and parameter coordinates.

const (
	fdStep        = 1e-6
	fdMaxRelError = 1e-3
)

func randomTensor64(rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]float64, n)
	for i := range data {
		data[i] = rng.NormFloat64()
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

// finiteDifferenceCheck builds f under scope "f", randomises all its parameters, and compares
// gradients with central differences for a few coordinates of x and of each named parameter.
func finiteDifferenceCheck(t *testing.T, xDims []int, params []string, f func(scope *model.Scope, x *Node) *Node) {
	rng := rand.New(rand.NewPCG(3, 4))
	store := model.NewStore()
	x := randomTensor64(rng, xDims...)
	var r *tensors.Tensor
	loss := func(scope *model.Scope, x, r *Node) *Node { return ReduceAllSum(Mul(f(scope.In("f"), x), r)) }
	lossExec := model.MustNewExec(testBackend(t), store, loss)
	gradExec := model.MustNewExec(testBackend(t), store, func(scope *model.Scope, x, r *Node) []*Node {
		l := loss(scope, x, r)
		wrt := []*Node{x}
		for _, p := range params {
			wrt = append(wrt, store.GetVariable("/f/"+p).NodeValue(x.Graph()))
		}
		return Gradient(l, wrt...)
	})
	// One forward pass creates the variables; then give every float variable random values.
	out := model.MustExecOnce(testBackend(t), store, func(scope *model.Scope, x *Node) *Node { return f(scope.In("f"), x) }, x)
	r = randomTensor64(rng, out.Shape().Dimensions...)
	for v := range store.IterVariables() {
		if v.Shape().DType.IsFloat() {
			v.MustSetValue(randomTensor64(rng, v.Shape().Dimensions...))
		}
	}
	grads := gradExec.MustCall(x, r)

	lossAt := func() float64 { return tensors.MustCopyFlatData[float64](lossExec.MustCall1(x, r))[0] }
	check := func(label string, values []float64, set func([]float64), analytic []float64) {
		worst := 0.0
		for range 6 {
			i := rng.IntN(len(values))
			orig := values[i]
			values[i] = orig + fdStep
			set(values)
			plus := lossAt()
			values[i] = orig - fdStep
			set(values)
			minus := lossAt()
			values[i] = orig
			set(values)
			numeric := (plus - minus) / (2 * fdStep)
			rel := math.Abs(numeric-analytic[i]) / math.Max(math.Abs(numeric)+math.Abs(analytic[i]), 1e-6)
			worst = max(worst, rel)
		}
		t.Logf("%-22s max relative error %.2e", label, worst)
		if worst > fdMaxRelError {
			t.Errorf("%s: finite differences disagree with autodiff, relative error %.3e", label, worst)
		}
	}
	xs := tensors.MustCopyFlatData[float64](x)
	check("input", xs, func(v []float64) { x = tensors.FromFlatDataAndDimensions(v, xDims...) }, tensors.MustCopyFlatData[float64](grads[0]))
	for i, p := range params {
		v := store.GetVariable("/f/" + p)
		dims := v.Shape().Dimensions
		check(p, tensors.MustCopyFlatData[float64](v.MustValue()), func(vals []float64) {
			v.MustSetValue(tensors.FromFlatDataAndDimensions(vals, dims...))
		}, tensors.MustCopyFlatData[float64](grads[i+1]))
	}
}

func TestAttentionFiniteDifferences(t *testing.T) {
	finiteDifferenceCheck(t, []int{2, 5, 8}, []string{"query/weight", "key/weight", "value/bias", "output/weight"},
		func(scope *model.Scope, x *Node) *Node {
			valid := Const(x.Graph(), [][]bool{{true, true, true, true, true}, {true, true, true, false, false}})
			mask := CombineMasks(PaddingMask(valid), CausalMask(x.Graph(), 5, 5))
			out, _ := MultiHeadAttention(scope, x, x, x, mask, 2, 0)
			return out
		})
}

func TestLayerNormFiniteDifferences(t *testing.T) {
	finiteDifferenceCheck(t, []int{3, 8}, []string{"gain", "bias"}, func(scope *model.Scope, x *Node) *Node {
		return LayerNorm(scope, x, 1e-5)
	})
}
