package transformer

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// TestTokenNLLMatchesTorch compares values and gradients with F.cross_entropy(reduction="none"),
// including a row shifted by +100 and a label whose logit is −60.
func TestTokenNLLMatchesTorch(t *testing.T) {
	f := loadFixture(t, "cross_entropy")
	outs := MustExecOnceN(testBackend(t), func(logits, labels, r *Node) []*Node {
		nll := TokenNLL(logits, labels)
		return []*Node{nll, Gradient(ReduceAllSum(Mul(nll, r)), logits)[0]}
	}, f.float32(t, "logits"), f.int32(t, "labels"), f.float32(t, "R"))
	expectClose(t, f, "nll", outs[0])
	expectClose(t, f, "grad_input/logits", outs[1])
}

// TestTokenNLLFiniteDifferences checks the hand-written gradient against central differences
// (float64), with the labels of a small random problem.
func TestTokenNLLFiniteDifferences(t *testing.T) {
	labels := [][]int32{{0, 3, 6}, {2, 2, 5}}
	finiteDifferenceCheck(t, []int{2, 3, 7}, nil, func(scope *model.Scope, x *Node) *Node {
		return TokenNLL(x, Const(x.Graph(), labels))
	})
}

// TestTokenNLLIgnoredLabels: labels outside [0, vocab) — IgnoreIndex is −100 — neither crash nor
// produce non-finite values, and a zero weight removes them from the gradient.
func TestTokenNLLIgnoredLabels(t *testing.T) {
	logits := [][]float32{{1, 2, 3}, {0.5, -1, 4}}
	outs := MustExecOnceN(testBackend(t), func(x *Node) []*Node {
		nll := TokenNLL(x, Const(x.Graph(), []int32{-100, 7}))
		w := Const(x.Graph(), []float32{0, 1})
		return []*Node{nll, Gradient(ReduceAllSum(Mul(nll, w)), x)[0]}
	}, logits)
	for _, v := range tensors.MustCopyFlatData[float32](outs[0]) {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("nll %v is not finite", outs[0])
		}
	}
	grad := outs[1].Value().([][]float32)
	for j, g := range grad[0] {
		if g != 0 {
			t.Errorf("gradient of the weighted-out position [0][%d] = %g, want 0", j, g)
		}
	}
}
