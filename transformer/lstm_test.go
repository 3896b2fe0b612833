package transformer

import (
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/lstm"
	"github.com/gomlx/gomlx/ml/model"
)

// lstmFixture builds an LSTM's variables with random values (bias included) and random tokens.
func lstmFixture(t *testing.T, l LSTM, B, S int) (*model.Store, [][]int32) {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	tokens := make([][]int32, B)
	for b := range tokens {
		tokens[b] = make([]int32, S)
		for s := range tokens[b] {
			tokens[b][s] = int32(rng.IntN(l.Vocab))
		}
	}
	store := model.NewStore()
	model.MustExecOnce(testBackend(t), store, func(scope *model.Scope, x *Node) *Node {
		h, _ := l.Run(scope.In("lstm"), x)
		return h
	}, tokens)
	for v := range store.IterVariables() {
		if v.Shape().DType.IsFloat() {
			data := make([]float32, v.Shape().Size())
			for i := range data {
				data[i] = float32(rng.NormFloat64() * 0.5)
			}
			v.MustSetValue(tensors.FromFlatDataAndDimensions(data, v.Shape().Dimensions...))
		}
	}
	return store, tokens
}

// lstmGrads returns the gradients of L = Σ h⊙R (R a fixed pattern) with respect to the LSTM's four
// variables.
func lstmGrads(scope *model.Scope, h *Node) []*Node {
	g := h.Graph()
	v := func(p string) *Node { return scope.Store().GetVariable("/lstm/" + p).NodeValue(g) }
	r := Sin(AddScalar(MulScalar(IotaFull(g, h.Shape()), 0.7), 0.3))
	return Gradient(ReduceAllSum(Mul(h, r)), v("embed/weight"), v("input/weight"), v("recurrent/weight"), v("bias"))
}

// TestLSTMMatchesGoMLX: the same weights in GoMLX's ml/layers/lstm (its layout: [dirs, 4, H, E]
// input and [dirs, 4, H, H] recurrent weights with gates i, o, f, c; 8 biases, 4 of them on the
// input side) give the same hidden states, final cell and gradients of every variable, and Step
// repeated gives the same state.
func TestLSTMMatchesGoMLX(t *testing.T) {
	l := LSTM{Vocab: 7, Embed: 5, Hidden: 6}
	const B, S = 3, 9
	store, tokens := lstmFixture(t, l, B, S)
	be := testBackend(t)
	ours := model.MustExecOnceN(be, store, func(scope *model.Scope, x *Node) []*Node {
		states, h, c := l.States(scope.In("lstm"), x)
		return append([]*Node{states, h, c}, lstmGrads(scope, h)...)
	}, tokens)
	theirs := model.MustExecOnceN(be, store, func(scope *model.Scope, x *Node) []*Node {
		g := x.Graph()
		v := func(p string) *Node { return store.GetVariable("/lstm/" + p).NodeValue(g) }
		emb := v("embed/weight")
		wx := v("input/weight")     // [E, 4H], gates i f g o
		wh := v("recurrent/weight") // [H, 4H]
		b := v("bias")              // [4H]
		H := l.Hidden
		block := func(w *Node, k int) *Node { return SliceAxis(w, -1, AxisRange(k*H, (k+1)*H)) }
		order := []int{0, 3, 1, 2} // GoMLX's i, o, f, c from our i, f, g, o
		var in, rec, bias []*Node
		for _, k := range order {
			in = append(in, Transpose(block(wx, k), 0, 1))   // [H, E]
			rec = append(rec, Transpose(block(wh, k), 0, 1)) // [H, H]: [out, in]
			bias = append(bias, block(b, k))
		}
		for range 4 {
			bias = append(bias, ZerosLike(block(b, 0)))
		}
		xs := Gather(emb, InsertAxes(x, -1)) // [B, S, E]
		all, h, c := lstm.NewWithWeights(xs, InsertAxes(Stack(in, 0), 0), InsertAxes(Stack(rec, 0), 0),
			InsertAxes(Stack(bias, 0), 0), nil).Done()
		// all [S, 1, B, H] → [B, S, H]; h, c [1, B, H] → [B, H]
		return append([]*Node{Transpose(Squeeze(all, 1), 0, 1), Squeeze(h, 0), Squeeze(c, 0)}, lstmGrads(scope, Squeeze(h, 0))...)
	}, tokens)
	for i, name := range []string{"states", "h", "c", "∂L/∂embed", "∂L/∂W_x", "∂L/∂W_h", "∂L/∂b"} {
		a, b := tensors.MustCopyFlatData[float32](ours[i]), tensors.MustCopyFlatData[float32](theirs[i])
		if len(a) != len(b) {
			t.Fatalf("%s: %d values, GoMLX %d", name, len(a), len(b))
		}
		worst := 0.0
		for j := range a {
			worst = max(worst, math.Abs(float64(a[j]-b[j])))
		}
		t.Logf("%s: max |ours − GoMLX| = %.2g", name, worst)
		if worst > 1e-5 {
			t.Errorf("%s differs from GoMLX's LSTM by %g", name, worst)
		}
	}

	// Step, token by token, reaches the same final state.
	step := model.MustNewExec(be, store, func(scope *model.Scope, x, h, c *Node) []*Node {
		h, c = l.Step(scope.In("lstm"), x, h, c)
		return []*Node{h, c}
	})
	h := tensors.FromFlatDataAndDimensions(make([]float32, B*l.Hidden), B, l.Hidden)
	c := tensors.FromFlatDataAndDimensions(make([]float32, B*l.Hidden), B, l.Hidden)
	for s := range S {
		col := make([]int32, B)
		for b := range B {
			col[b] = tokens[b][s]
		}
		out := step.MustCall(col, h, c)
		h, c = out[0], out[1]
	}
	a, b := tensors.MustCopyFlatData[float32](h), tensors.MustCopyFlatData[float32](ours[1])
	for j := range a {
		if math.Abs(float64(a[j]-b[j])) > 1e-5 {
			t.Fatalf("Step×%d gives h %v, Run %v", S, a, b)
		}
	}
}

func TestLSTMParamCountAndValidate(t *testing.T) {
	l := LSTM{Vocab: 7, Embed: 5, Hidden: 6}
	store, _ := lstmFixture(t, l, 2, 3)
	n := 0
	for v := range store.IterVariables() {
		if v.Trainable && v.Shape().DType.IsFloat() {
			n += v.Shape().Size()
		}
	}
	if n != l.ParamCount() {
		t.Errorf("ParamCount %d, the store holds %d", l.ParamCount(), n)
	}
	if l.StateFloats() != 12 {
		t.Errorf("StateFloats %d, want 2·H = 12", l.StateFloats())
	}
	for _, bad := range []LSTM{{0, 1, 1}, {1, 0, 1}, {1, 1, -1}} {
		if bad.Validate() == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
