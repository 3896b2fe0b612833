package transformer

import (
	"math"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/dtypes/bfloat16"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// TestMaskInEveryFloatDType: in float32, float64, bfloat16 and float16, a causal mask gives zero
// weight right of the diagonal and a fully masked row is uniform, not NaN — the mask fills the
// dtype's lowest finite value (float16: −65504), as the package doc says. Before the fix the fill
// was the dtype's −Inf: a fully masked row was NaN in every dtype, and in bfloat16/float16 the
// −Inf constant came out as a large positive number (see TestConstOfTypedInfinity), which turned
// the causal mask inside out: every position attended to the future only.
func TestMaskInEveryFloatDType(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	scores := [][]float32{{0.1, 0.7, -0.3}, {0.5, -0.2, 0.9}, {0.3, 0.3, 0.1}}
	// Row 0 may see key 0, row 1 keys 0–1, row 2 nothing at all (a query on padding).
	allowed := [][]bool{{true, false, false}, {true, true, false}, {false, false, false}}
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64, dtypes.BFloat16, dtypes.Float16} {
		for _, training := range []bool{false, true} {
			out := MustExecOnce(be, func(s, m *Node) *Node {
				s4 := InsertAxes(ConvertDType(s, dt), 0, 0) // [1, 1, 3, 3]
				w := scoresToWeights(s4, 1, InsertAxes(m, 0, 0), training)
				return Reshape(ConvertDType(w, dtypes.Float32), 3, 3)
			}, scores, allowed).Value().([][]float32)
			want := [][]float64{{1, 0, 0}, {0, 0, 0}, {1.0 / 3, 1.0 / 3, 1.0 / 3}}
			e0, e1 := math.Exp(0.5), math.Exp(-0.2)
			want[1][0], want[1][1] = e0/(e0+e1), e1/(e0+e1)
			for i := range want {
				for j := range want[i] {
					if d := math.Abs(float64(out[i][j]) - want[i][j]); !(d < 1e-2) {
						t.Errorf("%s (training %v): weight[%d][%d] = %g, want %.4f", dt, training, i, j, out[i][j], want[i][j])
					}
				}
			}
		}
	}
}

// TestConstOfTypedInfinity is a canary for the upstream behaviour that broke the bfloat16 mask:
// compute v0.1.14 turns a bfloat16.BFloat16 value into a bfloat16 constant through its bits read
// as an integer, so bfloat16.Inf(-1) (bits 0xFF80) becomes +65408, not −Inf. The library no longer
// passes typed half-precision values to ConstAsDType; when this test fails, upstream converts them
// by value.
func TestConstOfTypedInfinity(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	out := MustExecOnce(be, func(x *Node) *Node {
		c := ConstAsDType(x.Graph(), dtypes.BFloat16, bfloat16.Inf(-1))
		return ConvertDType(c, dtypes.Float32)
	}, float32(0))
	got := tensors.MustCopyFlatData[float32](out)[0]
	t.Logf("ConstAsDType(BFloat16, bfloat16.Inf(-1)) = %g", got)
	if math.IsInf(float64(got), -1) {
		t.Errorf("a typed bfloat16 −Inf now stays −Inf: upstream fixed; update this canary and the comment in scoresToWeights")
	}
}
