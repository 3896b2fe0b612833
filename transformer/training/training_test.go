package training

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

func TestScheduleClosedForm(t *testing.T) {
	s := Schedule{Kind: Cosine, PeakLR: 1e-3, MinLR: 1e-4, WarmupSteps: 100, DecaySteps: 2000}
	for _, c := range []struct {
		it   int64
		want float64
	}{{0, 1e-3 / 101}, {99, 1e-3 * 100 / 101}, {100, 1e-3}, {1050, 5.5e-4}, {2000, 1e-4}, {5000, 1e-4}} {
		if got := s.At(c.it); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("cosine At(%d) = %g, want %g", c.it, got, c.want)
		}
	}
	l := Schedule{Kind: Linear, PeakLR: 1, MinLR: 0, WarmupSteps: 10, DecaySteps: 110}
	for _, c := range []struct {
		it   int64
		want float64
	}{{4, 5.0 / 11}, {10, 1}, {60, 0.5}, {110, 0}, {200, 0}} {
		if got := l.At(c.it); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("linear At(%d) = %g, want %g", c.it, got, c.want)
		}
	}
	// The graph version agrees with the closed form at every step.
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, sch := range []Schedule{s, l} {
		const n = 2100
		e, err := NewExec(be, func(it *Node) *Node { return sch.Graph(it, dtypes.Float64) })
		if err != nil {
			t.Fatal(err)
		}
		steps := make([]int64, n)
		for i := range steps {
			steps[i] = int64(i)
		}
		out, err := e.Exec1(tensors.FromValue(steps))
		if err != nil {
			t.Fatal(err)
		}
		got := tensors.MustCopyFlatData[float64](out)
		for i, g := range got {
			if w := sch.At(int64(i)); math.Abs(g-w) > 1e-12*math.Max(1, w) {
				t.Fatalf("%s Graph(%d) = %g, At = %g", sch.Kind, i, g, w)
			}
		}
	}
	if (Schedule{Kind: Cosine, PeakLR: 1, MinLR: 2, DecaySteps: 3}).Validate() == nil {
		t.Error("MinLR > PeakLR accepted")
	}
	if (Schedule{Kind: Cosine, PeakLR: 1, WarmupSteps: 5, DecaySteps: 5}).Validate() == nil {
		t.Error("DecaySteps = WarmupSteps accepted")
	}
}

func TestClipByGlobalNorm(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ max, scale float64 }{{6.5, 6.5 / (13 + 1e-6)}, {100, 1}, {0, 1}} {
		e, err := NewExec(be, func(a, b *Node) (*Node, *Node, *Node) {
			clipped, norm := ClipByGlobalNorm([]*Node{a, b}, c.max)
			return clipped[0], clipped[1], norm
		})
		if err != nil {
			t.Fatal(err)
		}
		outs, err := e.Exec(tensors.FromValue([]float64{3, 4}), tensors.FromValue([][]float64{{12}}))
		if err != nil {
			t.Fatal(err)
		}
		a := tensors.MustCopyFlatData[float64](outs[0])
		b := tensors.MustCopyFlatData[float64](outs[1])
		norm := outs[2].Value().(float64)
		if math.Abs(norm-13) > 1e-12 {
			t.Fatalf("norm %g, want 13", norm)
		}
		want := []float64{3 * c.scale, 4 * c.scale, 12 * c.scale}
		got := []float64{a[0], a[1], b[0]}
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-9 {
				t.Fatalf("max %g: clipped %v, want %v", c.max, got, want)
			}
		}
	}
}

// TestAdamWTwoSteps checks two AdamW updates of loss = Σ c·θ² against the formulas by hand,
// with decay on a "weight" and none on a "bias".
func TestAdamWTwoSteps(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	store := model.NewStore()
	opt := &AdamW{Schedule: Schedule{Kind: Linear, PeakLR: 0.1, MinLR: 0.05, WarmupSteps: 1, DecaySteps: 3},
		Beta1: 0.9, Beta2: 0.99, Epsilon: 1e-8, WeightDecay: 0.5}
	coef := []float64{1, -3}
	step, err := model.NewExec(be, store, func(scope *model.Scope, g *Graph) *Node {
		lin := scope.In("lin")
		w := lin.VariableWithValue("weight", []float32{1, -2})
		b := lin.VariableWithValue("bias", []float32{0.5, 2})
		c := Const(g, []float32{1, -3})
		loss := Add(ReduceAllSum(Mul(c, Square(w.NodeValue(g)))), ReduceAllSum(Mul(c, Square(b.NodeValue(g)))))
		opt.UpdateGraph(scope, g, loss)
		return loss
	})
	if err != nil {
		t.Fatal(err)
	}
	// Reference in float64.
	theta := map[string][]float64{"weight": {1, -2}, "bias": {0.5, 2}}
	m := map[string][]float64{"weight": {0, 0}, "bias": {0, 0}}
	v := map[string][]float64{"weight": {0, 0}, "bias": {0, 0}}
	for it := 1; it <= 2; it++ {
		if _, err := step.Exec(); err != nil {
			t.Fatal(err)
		}
		lr := opt.Schedule.At(int64(it - 1))
		for _, name := range []string{"weight", "bias"} {
			for i := range 2 {
				g := 2 * coef[i] * theta[name][i]
				m[name][i] = 0.9*m[name][i] + 0.1*g
				v[name][i] = 0.99*v[name][i] + 0.01*g*g
				upd := m[name][i] / (1 - math.Pow(0.9, float64(it))) / (math.Sqrt(v[name][i]/(1-math.Pow(0.99, float64(it)))) + 1e-8)
				if name == "weight" {
					upd += 0.5 * theta[name][i]
				}
				theta[name][i] -= lr * upd
			}
		}
	}
	if got := optimizer.GetGlobalStep(store); got != 2 {
		t.Fatalf("global step %d, want 2", got)
	}
	for _, name := range []string{"weight", "bias"} {
		got := tensors.MustCopyFlatData[float32](store.GetVariable("/lin/" + name).MustValue())
		for i := range got {
			if math.Abs(float64(got[i])-theta[name][i]) > 1e-6 {
				t.Fatalf("%s = %v, want %v", name, got, theta[name])
			}
		}
	}
	if lr := LearningRateVar(store).MustValue().Value().(float32); math.Abs(float64(lr)-opt.Schedule.At(1)) > 1e-7 {
		t.Fatalf("recorded learning rate %g, want %g", lr, opt.Schedule.At(1))
	}
}

func TestDefaultDecay(t *testing.T) {
	for path, want := range map[string]bool{
		"/h/0/attn/c_attn/weight": true, "/h/0/attn/c_attn/bias": false, "/h/0/ln_1/gain": false,
		"/wte/weight": false, "/wpe/weight": false, "/embeddings/word_embeddings/weight": false,
		"/encoder/layer_0/norm1/gain": false, "/encoder/layer_0/ffn/linear1/weight": true,
	} {
		if got := DefaultDecay(path); got != want {
			t.Errorf("DefaultDecay(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestSafetensorsRoundTripAndErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "x.safetensors")
	ts := map[string]*tensors.Tensor{
		"a/w": tensors.FromValue([][]float32{{1, 2, 3}, {4, 5, 6}}),
		"b":   tensors.FromValue([]int64{7, -8}),
		"s":   tensors.FromValue(float64(2.5)),
	}
	if err := WriteSafetensors(file, ts, nil, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	got, meta, err := ReadSafetensors(file)
	if err != nil {
		t.Fatal(err)
	}
	if meta["k"] != "v" || len(got) != 3 {
		t.Fatalf("meta %v, %d tensors", meta, len(got))
	}
	if w := tensors.MustCopyFlatData[float32](got["a/w"]); w[5] != 6 || !got["a/w"].Shape().Equal(shapes.Make(dtypes.Float32, 2, 3)) {
		t.Fatalf("a/w = %v %s", w, got["a/w"].Shape())
	}
	if b := tensors.MustCopyFlatData[int64](got["b"]); b[1] != -8 {
		t.Fatalf("b = %v", b)
	}
	raw, _ := os.ReadFile(file)
	// Truncated: the last tensor's bytes are cut off.
	trunc := filepath.Join(dir, "trunc.safetensors")
	os.WriteFile(trunc, raw[:len(raw)-4], 0o644)
	if _, _, err := ReadSafetensors(trunc); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated file: %v", err)
	}
	// Unknown dtype.
	bad := filepath.Join(dir, "dtype.safetensors")
	os.WriteFile(bad, bytes.Replace(raw, []byte(`"I64"`), []byte(`"X64"`), 1), 0o644)
	if _, _, err := ReadSafetensors(bad); err == nil || !strings.Contains(err.Error(), `"b"`) || !strings.Contains(err.Error(), "X64") {
		t.Errorf("unknown dtype: %v", err)
	}
	// Too short to hold a header.
	os.WriteFile(bad, raw[:5], 0o644)
	if _, _, err := ReadSafetensors(bad); err == nil {
		t.Error("5-byte file accepted")
	}
}

// TestCheckpointAtomic: a save that fails half-way leaves the previous checkpoint intact and no
// temporary files behind; a successful save replaces it; resume restores variables and the step.
func TestCheckpointAtomic(t *testing.T) {
	dir := t.TempDir()
	store := model.NewStore()
	v, err := store.CreateVariable("/lin/weight", tensors.FromValue([]float32{1, 2}))
	if err != nil {
		t.Fatal(err)
	}
	optimizer.GetGlobalStepVar(store).MustSetValue(tensors.FromValue(int64(5)))
	if err := SaveCheckpoint(dir, store, map[string]string{"note": "first"}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, CheckpointFile)
	before, _ := os.ReadFile(file)
	boom := errors.New("disk full")
	err = WriteFileAtomic(file, func(w io.Writer) error {
		w.Write(before[:len(before)/2])
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want the writer's", err)
	}
	after, _ := os.ReadFile(file)
	if !bytes.Equal(before, after) {
		t.Fatal("a failed save changed the checkpoint")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left files behind: %v", entries)
	}
	// A new value, saved successfully, replaces the old one; loading restores it into a new store.
	v.MustSetValue(tensors.FromValue([]float32{3, 4}))
	if err := SaveCheckpoint(dir, store, map[string]string{"note": "second"}); err != nil {
		t.Fatal(err)
	}
	fresh := model.NewStore()
	meta, err := LoadCheckpoint(dir, fresh)
	if err != nil {
		t.Fatal(err)
	}
	if meta["note"] != "second" || meta["global_step"] != "5" {
		t.Fatalf("meta %v", meta)
	}
	if step := optimizer.GetGlobalStep(fresh); step != 5 {
		t.Fatalf("restored step %d", step)
	}
	if w := tensors.MustCopyFlatData[float32](fresh.GetVariable("/lin/weight").MustValue()); w[0] != 3 || w[1] != 4 {
		t.Fatalf("restored weight %v", w)
	}
}

func TestWriteJSONLine(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSONLine(&b, Metrics{"val_loss": math.NaN(), "step": 3, "seconds": 1.5}); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "{\"seconds\":1.5,\"step\":3,\"val_loss\":null}\n" {
		t.Fatalf("got %q", got)
	}
}

// TestCheckpointRemovesKilledWrites: temporary files of checkpoint writes that were killed (kill -9
// cannot clean up; the current and the earlier naming) are removed by the next successful save.
func TestCheckpointRemovesKilledWrites(t *testing.T) {
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^$")
	if err := child.Run(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".checkpoint.safetensors.tmp-2718281828", ".checkpoint.safetensors.tmp-" + strconv.Itoa(child.ProcessState.Pid()) + "-1"} {
		if err := os.WriteFile(filepath.Join(dir, name), make([]byte, 1<<10), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	store := model.NewStore()
	if _, err := store.CreateVariable("/w", tensors.FromValue([]float32{1})); err != nil {
		t.Fatal(err)
	}
	if err := SaveCheckpoint(dir, store, nil); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != CheckpointFile {
		t.Fatalf("left in the checkpoint directory: %v", entries)
	}
}
