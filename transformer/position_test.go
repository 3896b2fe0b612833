package transformer

import (
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

func TestSinusoidalTableMatchesReference(t *testing.T) {
	f := loadFixture(t, "positions")
	want := f.get(t, "sinusoidal")
	seq, width := want.Shape[0], want.Shape[1]
	got := MustExecOnce(testBackend(t), func(g *Graph) *Node {
		return SinusoidalPositions(g, dtypes.Float32, seq, width)
	})
	expectClose(t, f, "sinusoidal", got)
	// The formula itself, at one entry: PE(3, 2·1+1) = cos(3 / 10000^(2/8)).
	if v := SinusoidalTable(4, 8)[3][3]; math.Abs(v-math.Cos(3/math.Pow(10000, 2.0/8))) > 1e-15 {
		t.Errorf("PE(3,3) = %v", v)
	}
}

func TestRoPEMatchesReference(t *testing.T) {
	f := loadFixture(t, "positions")
	offset := int(f.Meta["rope_offset"].(float64))
	base := f.Meta["rope_base"].(float64)
	got := MustExecOnce(testBackend(t), func(x *Node) *Node { return RoPE(x, offset, base) }, f.float32(t, "rope_x"))
	expectClose(t, f, "rope_out", got)
}

// TestRoPEIsRelative checks the property RoPE is designed for: after rotating queries and keys
// their dot products depend only on the distance between positions, so shifting every position
// by the same offset changes nothing; and rotations keep vector lengths.
func TestRoPEIsRelative(t *testing.T) {
	f := loadFixture(t, "positions")
	x := f.float32(t, "rope_x") // [2, 5, 2, 4], used as both queries and keys
	outs := MustExecOnceN(testBackend(t), func(x *Node) []*Node {
		scores := func(offset int) *Node {
			r := RoPE(x, offset, 10000)
			return Einsum("bqhd,bkhd->bhqk", r, r)
		}
		return []*Node{scores(0), scores(7), ReduceSum(Square(RoPE(x, 3, 10000)), -1), ReduceSum(Square(x), -1)}
	}, x)
	if d := maxDiff(outs[0], outs[1]); d > 1e-5 {
		t.Errorf("scores change with a common position shift: max |Δ| = %g", d)
	}
	if d := maxDiff(outs[2], outs[3]); d > 1e-5 {
		t.Errorf("RoPE changed vector norms: max |Δ| = %g", d)
	}
}

func maxDiff(a, b *tensors.Tensor) float64 {
	x, y := tensors.MustCopyFlatData[float32](a), tensors.MustCopyFlatData[float32](b)
	worst := 0.0
	for i := range x {
		worst = max(worst, math.Abs(float64(x[i]-y[i])))
	}
	return worst
}
