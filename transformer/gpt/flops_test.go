package gpt

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// TestFLOPsPerTokenMatchesBenchScript checks the closed form against the model-FLOPs formula of
// scripts/bench/train_step.py for nanoGPT's CPU step (B = 12, T = 64, L = 4, d = 128, V = 65):
// 6·B·T·(12·L·d² + V·d) + 12·L·B·T²·d.
func TestFLOPsPerTokenMatchesBenchScript(t *testing.T) {
	c := nanoGPTCPU()
	const B, T, L, d, V = 12, 64, 4, 128, 65
	want := int64(6*B*T*(12*L*d*d+V*d) + 12*L*B*T*T*d)
	if got := FLOPsPerToken(c, T) * B * T; got != want {
		t.Fatalf("FLOPsPerToken·B·T = %d, bench script %d", got, want)
	}
}

func TestNonEmbeddingParams(t *testing.T) {
	for _, name := range PresetNames() {
		c, _ := Preset(name)
		d, L := int64(c.NEmbd), int64(c.NLayer)
		if got, want := NonEmbeddingParams(c), L*(12*d*d+13*d)+2*d; got != want {
			t.Errorf("%s: NonEmbeddingParams = %d, want L(12d²+13d)+2d = %d", name, got, want)
		}
	}
	// GPT-3 175B: N ≈ 12·L·d² = 173.95B non-embedding parameters.
	c, _ := Preset("gpt3-175b")
	if n := NonEmbeddingParams(c); n < 173_900_000_000 || n > 174_100_000_000 {
		t.Errorf("gpt3-175b non-embedding parameters %d, want ≈ 1.74e11", n)
	}
}

// contracting matches the contracting axes in a DotGeneral node's description.
var contracting = regexp.MustCompile(`lhsContractingAxes=\[([0-9 ]*)\]`)

// matmulFLOPs is an independent count: it walks a graph and adds 2·|output|·K for every
// DotGeneral node (K = product of the contracted dimensions), whatever the layer that made it.
// Backends with fused dense ops (the pure-Go backend) get FusedDense nodes instead, x·Wᵀ (+ b):
// 2·|output|·in; and FusedDenseVJP nodes, dx = dy·W and dW = dyᵀ·x: 2 × 2·rows·in·out = 4·|x|·out.
func matmulFLOPs(t *testing.T, g *Graph) int64 {
	var total int64
	for _, n := range g.Nodes() {
		switch n.Type() {
		case NodeTypeFusedDense:
			x := n.Inputs()[0].Shape()
			total += 2 * int64(n.Shape().Size()) * int64(x.Dim(-1))
		case NodeTypeFusedDenseVJP:
			x, w := n.Inputs()[0].Shape(), n.Inputs()[1].Shape()
			total += 4 * int64(x.Size()) * int64(w.Size()/x.Dim(-1))
		case NodeTypeDotGeneral:
			m := contracting.FindStringSubmatch(n.String())
			if m == nil {
				t.Fatalf("cannot read the contracting axes of %s", n)
			}
			k, lhs := int64(1), n.Inputs()[0].Shape()
			for _, a := range regexp.MustCompile(`\d+`).FindAllString(m[1], -1) {
				axis, _ := strconv.Atoi(a)
				k *= int64(lhs.Dim(axis))
			}
			total += 2 * int64(n.Shape().Size()) * k
		}
	}
	return total
}

// TestFLOPsPerTokenCountsTheGraph builds the forward graph of tiny GPTs and then the gradients
// of the loss with respect to every variable (what a training step computes), and compares the
// matrix-product FLOPs found in the graphs with FLOPsPerToken: the forward pass is a third of it,
// forward + backward all of it.
func TestFLOPsPerTokenCountsTheGraph(t *testing.T) {
	be := backend.MustNew()
	for _, tc := range []struct{ V, d, L, H, f, T, B int }{
		{11, 8, 2, 2, 0, 5, 3},   // f = 4d
		{13, 12, 3, 3, 20, 7, 2}, // a non-standard MLP width
	} {
		c := nanoGPTCPU()
		c.VocabSize, c.NEmbd, c.NLayer, c.NHead, c.NInner, c.NPositions = tc.V, tc.d, tc.L, tc.H, tc.f, tc.T
		g := NewGraph(be, "flops")
		tokens := Parameter(g, "tokens", shapes.Make(dtypes.Int32, tc.B, tc.T))
		targets := Parameter(g, "targets", shapes.Make(dtypes.Int32, tc.B, tc.T))
		logits := Logits(model.NewStore().RootScope(), c, tokens)
		forward := matmulFLOPs(t, g)
		var vars []*Node
		for _, n := range g.Nodes() {
			if n.Type() == NodeTypeParameter && n != tokens && n != targets {
				vars = append(vars, n)
			}
		}
		if len(vars) != 2+12*tc.L+2 {
			t.Fatalf("%+v: found %d variables, want %d", tc, len(vars), 2+12*tc.L+2)
		}
		Gradient(Loss(logits, targets), vars...)
		total := matmulFLOPs(t, g)
		per := FLOPsPerToken(c, tc.T)
		tokensPerStep := int64(tc.B * tc.T)
		if 3*forward != per*tokensPerStep {
			t.Errorf("%+v: forward graph %d FLOPs, 3× = %d; FLOPsPerToken·B·T = %d", tc, forward, 3*forward, per*tokensPerStep)
		}
		if total != per*tokensPerStep {
			t.Errorf("%+v: forward+backward graph %d FLOPs; FLOPsPerToken·B·T = %d", tc, total, per*tokensPerStep)
		}
	}
}
