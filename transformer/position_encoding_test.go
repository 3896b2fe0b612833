package transformer

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// TestPositionEncodings: each implementation through the interface equals the function it wraps
// (sinusoidal rows, learned rows of its variable, RoPEAt = RoPE at the same positions, also for
// positions that are not 0, 1, …), and the other kind's method is a no-op.
func TestPositionEncodings(t *testing.T) {
	be := testBackend(t)
	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(5); err != nil {
		t.Fatal(err)
	}
	f := loadFixture(t, "positions")
	x := f.float32(t, "rope_x") // [2, 5, 2, 4]
	outs, err := model.ExecOnceN(be, store, func(scope *model.Scope, x *Node) []*Node {
		g := x.Graph()
		pos := Iota(g, shapes.Make(dtypes.Int32, 5), 0)
		shifted := AddScalar(pos, 3) // 3 … 7
		sin := SinusoidalEncoding{MaxLen: 12}.Additive(scope, pos, 8, dtypes.Float32)
		p := scope.In("p")
		learned := LearnedEncoding{MaxLen: 12, Std: 0.02}.Additive(p, shifted, 8, dtypes.Float32)
		table := p.GetVariable("weight").NodeValue(g)
		rope := RotaryEncoding{MaxLen: 12, Base: 10000}
		q, k := rope.Rotate(x, MulScalar(x, 2), shifted)
		q0, k0 := SinusoidalEncoding{MaxLen: 12}.Rotate(x, x, pos)
		return []*Node{
			sin, SinusoidalPositions(g, dtypes.Float32, 5, 8),
			learned, Slice(table, AxisRange(3, 8)),
			q, RoPE(x, 3, 10000), k, RoPE(MulScalar(x, 2), 3, 10000),
			q0, x, k0, x,
		}
	}, x)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"sinusoidal", "learned", "rotary q", "rotary k", "no rotation q", "no rotation k"} {
		if d := maxDiff(outs[2*i], outs[2*i+1]); d != 0 {
			t.Errorf("%s: differs from the function it wraps (or from its input) by %g", name, d)
		}
	}
	if (RotaryEncoding{MaxLen: 4, Base: 10000}).Additive(nil, nil, 8, dtypes.Float32) != nil {
		t.Error("a rotary encoding added a term")
	}
	// Asking for more positions than the table has is a clear error, not a silent clamp.
	_, err = model.ExecOnce(be, store, func(scope *model.Scope, g *Graph) *Node {
		return LearnedEncoding{MaxLen: 4, Std: 0.02}.Additive(scope.In("q"), Iota(g, shapes.Make(dtypes.Int32, 6), 0), 8, dtypes.Float32)
	})
	if err == nil {
		t.Error("6 positions from a table of 4 accepted")
	}
}
