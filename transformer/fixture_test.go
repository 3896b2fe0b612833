package transformer

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// parityTolerance is the largest absolute difference allowed against PyTorch in float32.
const parityTolerance = 1e-5

var (
	testBackendOnce sync.Once
	testBackendVal  compute.Backend
)

// testBackend opens the project's backend once per test binary: GOMLX_BACKEND if set, else XLA when
// scripts/setup.sh installed its plugin, else the safe pure-Go backend. `make test` runs the parity
// suite twice, the second time with GOMLX_BACKEND=go, so both backends are checked against PyTorch.
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

// fixture is one file written by scripts/reference/transformer_fixtures.py.
type fixture struct {
	Meta    map[string]any
	Tensors map[string]fixtureTensor
}

type fixtureTensor struct {
	Shape []int
	Data  []float32
}

func loadFixture(t testing.TB, name string) *fixture {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatalf("reading fixture (regenerate with .venv-ref/bin/python scripts/reference/transformer_fixtures.py): %v", err)
	}
	var body struct {
		Meta    map[string]any `json:"meta"`
		Tensors map[string]struct {
			Shape []int         `json:"shape"`
			Data  []json.Number `json:"data"`
		} `json:"tensors"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("parsing fixture %s: %v", name, err)
	}
	f := &fixture{Meta: body.Meta, Tensors: map[string]fixtureTensor{}}
	for k, v := range body.Tensors {
		data := make([]float32, len(v.Data))
		for i, n := range v.Data {
			x, err := strconv.ParseFloat(string(n), 32) // read the float32 directly: no double rounding
			if err != nil {
				t.Fatalf("fixture %s tensor %s: %v", name, k, err)
			}
			data[i] = float32(x)
		}
		f.Tensors[k] = fixtureTensor{Shape: v.Shape, Data: data}
	}
	return f
}

func (f *fixture) get(t testing.TB, name string) fixtureTensor {
	t.Helper()
	v, ok := f.Tensors[name]
	if !ok {
		t.Fatalf("fixture has no tensor %q", name)
	}
	return v
}

// float32 returns the named tensor as a float32 *tensors.Tensor.
func (f *fixture) float32(t testing.TB, name string) *tensors.Tensor {
	v := f.get(t, name)
	return tensors.FromFlatDataAndDimensions(v.Data, v.Shape...)
}

// bool returns a 0/1 tensor as bool.
func (f *fixture) bool(t testing.TB, name string) *tensors.Tensor {
	v := f.get(t, name)
	data := make([]bool, len(v.Data))
	for i, x := range v.Data {
		data[i] = x != 0
	}
	return tensors.FromFlatDataAndDimensions(data, v.Shape...)
}

// int32 returns an integer-valued tensor as int32.
func (f *fixture) int32(t testing.TB, name string) *tensors.Tensor {
	v := f.get(t, name)
	data := make([]int32, len(v.Data))
	for i, x := range v.Data {
		data[i] = int32(x)
	}
	return tensors.FromFlatDataAndDimensions(data, v.Shape...)
}

// names returns the sorted tensor names starting with prefix, without the prefix.
func (f *fixture) names(prefix string) []string {
	var out []string
	for k := range f.Tensors {
		if strings.HasPrefix(k, prefix) {
			out = append(out, strings.TrimPrefix(k, prefix))
		}
	}
	sort.Strings(out)
	return out
}

// loadParams creates every "param/<path>" tensor as variable scope+"/"+path in store.
func (f *fixture) loadParams(t testing.TB, store *model.Store, scope string) {
	t.Helper()
	for _, p := range f.names("param/") {
		if _, err := store.CreateVariable(model.JoinPath("/", scope, p), f.float32(t, "param/"+p)); err != nil {
			t.Fatalf("creating variable %s: %v", p, err)
		}
	}
}

// maxAbsDiff compares a result with the fixture tensor want, checking shapes.
func maxAbsDiff(t testing.TB, label string, got *tensors.Tensor, want fixtureTensor) float64 {
	t.Helper()
	if !slices.Equal(got.Shape().Dimensions, want.Shape) {
		t.Fatalf("%s: shape %v, want %v", label, got.Shape().Dimensions, want.Shape)
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

// expectClose fails if got differs from the fixture tensor by more than parityTolerance.
func expectClose(t testing.TB, f *fixture, name string, got *tensors.Tensor) {
	t.Helper()
	d := maxAbsDiff(t, name, got, f.get(t, name))
	t.Logf("%-40s max |Δ| = %.2e", name, d)
	if d > parityTolerance {
		t.Errorf("%s: max abs error %.3e > %.0e", name, d, parityTolerance)
	}
}

// input names one graph input of a parity case: the fixture tensor, and whether its gradient is checked.
type input struct {
	name   string
	value  *tensors.Tensor
	inGrad bool
}

// checkParity loads the fixture's parameters under scope, runs build on the inputs and compares:
// build's outputs with the fixture tensors named in outNames, and — if the fixture has "R" —
// the gradients of sum(outputs[0]·R) with respect to the inputs marked inGrad ("grad_input/<name>")
// and to every parameter ("grad/<path>").
func checkParity(t *testing.T, f *fixture, scope string, inputs []input, outNames []string,
	build func(scope *model.Scope, in map[string]*Node) []*Node) {
	t.Helper()
	store := model.NewStore()
	f.loadParams(t, store, scope)
	_, withGrad := f.Tensors["R"]
	paramNames := f.names("grad/")
	var gradInputs []string
	for _, in := range inputs {
		if in.inGrad {
			gradInputs = append(gradInputs, in.name)
		}
	}
	exec, err := model.NewExec(testBackend(t), store, func(root *model.Scope, nodes []*Node) []*Node {
		g := nodes[0].Graph()
		byName := map[string]*Node{}
		for i, in := range inputs {
			byName[in.name] = nodes[i]
		}
		outs := build(root.In("%s", scope), byName)
		if !withGrad {
			return outs
		}
		r := Const(g, f.float32(t, "R"))
		loss := ReduceAllSum(Mul(outs[0], r))
		var wrt []*Node
		for _, name := range gradInputs {
			wrt = append(wrt, byName[name])
		}
		for _, p := range paramNames {
			v := store.GetVariable(model.JoinPath("/", scope, p))
			if v == nil {
				panic("no variable " + p)
			}
			wrt = append(wrt, v.NodeValue(g))
		}
		return append(outs, Gradient(loss, wrt...)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	args := make([]any, len(inputs))
	for i, in := range inputs {
		args[i] = in.value
	}
	results, err := exec.Call(args...)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range outNames {
		expectClose(t, f, name, results[i])
	}
	if !withGrad {
		return
	}
	results = results[len(outNames):]
	for i, name := range gradInputs {
		expectClose(t, f, "grad_input/"+name, results[i])
	}
	results = results[len(gradInputs):]
	for i, p := range paramNames {
		expectClose(t, f, "grad/"+p, results[i])
	}
	// Every fixture parameter must have been used by the graph (a renamed variable would be re-created).
	if n := store.NumVariables(); n != len(f.names("param/")) {
		t.Errorf("store has %d variables, fixture has %d parameters: a variable name differs", n, len(f.names("param/")))
	}
}
