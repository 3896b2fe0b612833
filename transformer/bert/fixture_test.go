package bert

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
)

// parityTolerance is the largest absolute difference allowed against Hugging Face in float32.
const parityTolerance = 1e-4

var (
	testBackendOnce sync.Once
	testBackendVal  compute.Backend
)

// testBackend opens the project's backend once (XLA when installed, else Go; GOMLX_BACKEND wins).
func testBackend(t testing.TB) compute.Backend {
	testBackendOnce.Do(func() {
		b, err := backend.New()
		if err != nil {
			t.Fatalf("opening backend: %v", err)
		}
		testBackendVal = b
	})
	return testBackendVal
}

type fixtureTensor struct {
	Shape []int
	Data  []float32
}

// readFixture reads a {"meta", "tensors"} JSON file written by scripts/reference/bert_fixtures.py.
func readFixture(t testing.TB, path string) map[string]fixtureTensor {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading fixture (regenerate with .venv-ref/bin/python scripts/reference/bert_fixtures.py): %v", err)
	}
	var body struct {
		Tensors map[string]struct {
			Shape []int         `json:"shape"`
			Data  []json.Number `json:"data"`
		} `json:"tensors"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	out := map[string]fixtureTensor{}
	for k, v := range body.Tensors {
		data := make([]float32, len(v.Data))
		for i, n := range v.Data {
			x, err := strconv.ParseFloat(string(n), 32)
			if err != nil {
				t.Fatalf("%s %s: %v", path, k, err)
			}
			data[i] = float32(x)
		}
		out[k] = fixtureTensor{Shape: v.Shape, Data: data}
	}
	return out
}

func loadCase(t testing.TB, name string) map[string]fixtureTensor {
	return readFixture(t, filepath.Join("testdata", name, "outputs.json"))
}

// rows turns an integer-valued [batch, seq] fixture tensor into int32 rows.
func rows(t testing.TB, f map[string]fixtureTensor, name string) [][]int32 {
	t.Helper()
	v, ok := f[name]
	if !ok || len(v.Shape) != 2 {
		t.Fatalf("fixture has no [batch, seq] tensor %q", name)
	}
	out := make([][]int32, v.Shape[0])
	for b := range out {
		out[b] = make([]int32, v.Shape[1])
		for i := range out[b] {
			out[b][i] = int32(v.Data[b*v.Shape[1]+i])
		}
	}
	return out
}

func fixtureBatch(t testing.TB, f map[string]fixtureTensor) Batch {
	return Batch{InputIDs: rows(t, f, "input_ids"), TokenTypeIDs: rows(t, f, "token_type_ids"), AttentionMask: rows(t, f, "attention_mask")}
}

// maxAbsDiff checks shapes and returns max |got − want| (NaN counts as +Inf).
func maxAbsDiff(t testing.TB, label string, got *tensors.Tensor, want fixtureTensor) float64 {
	t.Helper()
	dims := got.Shape().Dimensions
	if !slices.Equal(dims, want.Shape) {
		t.Fatalf("%s: shape %v, want %v", label, dims, want.Shape)
	}
	g := tensors.MustCopyFlatData[float32](got)
	worst := 0.0
	for i := range g {
		d := math.Abs(float64(g[i]) - float64(want.Data[i]))
		if math.IsNaN(d) {
			d = math.Inf(1)
		}
		worst = max(worst, d)
	}
	return worst
}

func expectClose(t testing.TB, label string, got *tensors.Tensor, want fixtureTensor, tol float64) {
	t.Helper()
	d := maxAbsDiff(t, label, got, want)
	t.Logf("%-14s max |Δ| = %.2e", label, d)
	if d > tol {
		t.Errorf("%s: max abs error %.3e > %.0e", label, d, tol)
	}
}
