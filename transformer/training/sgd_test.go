package training

import (
	"math"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// TestSGDMatchesTheFormula runs 10 updates of L = Σ C⊙w² + Σ D⊙b² (w decayed, b not) with momentum,
// weight decay, a linear schedule and clipping (the first updates are clipped, the later ones not),
// and replays torch.optim.SGD's rule in float64: g ← clip(g) + λθ, buf ← μ·buf + g, θ ← θ − lr·buf.
func TestSGDMatchesTheFormula(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	C := []float64{3, -1, 0.5, 2}
	D := []float64{1.5, 4}
	w0 := []float64{1, 2, -1, 0.5}
	b0 := []float64{-2, 1}
	opt := &SGD{Schedule: Schedule{Kind: Linear, PeakLR: 0.05, MinLR: 0.01, WarmupSteps: 1, DecaySteps: 10},
		Momentum: 0.9, WeightDecay: 0.1, ClipNorm: 8, Monitor: true}
	store := model.NewStore()
	f32 := func(xs []float64) []float32 {
		out := make([]float32, len(xs))
		for i, x := range xs {
			out[i] = float32(x)
		}
		return out
	}
	step, err := model.NewExec(be, store, func(scope *model.Scope, g *Graph) *Node {
		lin := scope.In("lin")
		w := lin.WithInitializer(initializer.Zero).VariableWithShape("weight", shapes.Make(dtypes.Float32, 4)).NodeValue(g)
		b := lin.WithInitializer(initializer.Zero).VariableWithShape("bias", shapes.Make(dtypes.Float32, 2)).NodeValue(g)
		loss := Add(ReduceAllSum(Mul(Const(g, f32(C)), Square(w))), ReduceAllSum(Mul(Const(g, f32(D)), Square(b))))
		opt.UpdateGraph(scope, g, loss)
		return loss
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := step.Call(); err != nil { // creates the variables (zero) and takes one step from 0
		t.Fatal(err)
	}
	// Start again from w0, b0 with fresh momentum and step counter.
	store.GetVariable("/lin/weight").MustSetValue(tensors.FromValue(f32(w0)))
	store.GetVariable("/lin/bias").MustSetValue(tensors.FromValue(f32(b0)))
	store.GetVariable("/training/sgd/lin/weight/momentum").MustSetValue(tensors.FromValue(make([]float32, 4)))
	store.GetVariable("/training/sgd/lin/bias/momentum").MustSetValue(tensors.FromValue(make([]float32, 2)))
	store.GetVariable("/global_step").MustSetValue(tensors.FromValue(int64(0)))

	w, b := append([]float64(nil), w0...), append([]float64(nil), b0...)
	bufW, bufB := make([]float64, 4), make([]float64, 2)
	clipped := 0
	for it := range 10 {
		gw, gb := make([]float64, 4), make([]float64, 2)
		sq := 0.0
		for i := range w {
			gw[i] = 2 * C[i] * w[i]
			sq += gw[i] * gw[i]
		}
		for i := range b {
			gb[i] = 2 * D[i] * b[i]
			sq += gb[i] * gb[i]
		}
		norm := math.Sqrt(sq)
		scale := math.Min(1, opt.ClipNorm/(norm+1e-6))
		if scale < 1 {
			clipped++
		}
		lr := opt.Schedule.At(int64(it))
		oldW := append([]float64(nil), w...)
		for i := range w {
			g := gw[i]*scale + opt.WeightDecay*w[i]
			bufW[i] = opt.Momentum*bufW[i] + g
			w[i] -= lr * bufW[i]
		}
		for i := range b {
			g := gb[i] * scale // the bias is not decayed
			bufB[i] = opt.Momentum*bufB[i] + g
			b[i] -= lr * bufB[i]
		}
		if _, err := step.Call(); err != nil {
			t.Fatal(err)
		}
		gotW := tensors.MustCopyFlatData[float32](store.GetVariable("/lin/weight").MustValue())
		gotB := tensors.MustCopyFlatData[float32](store.GetVariable("/lin/bias").MustValue())
		for i := range w {
			if math.Abs(float64(gotW[i])-w[i]) > 1e-5 {
				t.Fatalf("update %d: weight %v, want %v", it+1, gotW, w)
			}
		}
		for i := range b {
			if math.Abs(float64(gotB[i])-b[i]) > 1e-5 {
				t.Fatalf("update %d: bias %v, want %v", it+1, gotB, b)
			}
		}
		if got := scalarOf(t, store, "/training/grad_norm"); math.Abs(got-norm) > 1e-4*norm {
			t.Fatalf("update %d: gradient norm %g, want %g", it+1, got, norm)
		}
		stats, err := ReadMonitor(store)
		if err != nil {
			t.Fatal(err)
		}
		delta := make([]float64, 4)
		for i := range w {
			delta[i] = w[i] - oldW[i]
		}
		if got, want := stats[1].UpdateRatio, norm2(delta)/norm2(oldW); stats[1].Path != "/lin/weight" || math.Abs(got-want) > 1e-4*want {
			t.Fatalf("update %d: monitor %+v, want the weight's update ratio %g", it+1, stats, want)
		}
	}
	if clipped == 0 || clipped == 10 {
		t.Fatalf("%d of 10 updates clipped: the test should cover both cases", clipped)
	}
	t.Logf("10 updates match, %d of them clipped", clipped)
}

func norm2(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

func TestSGDValidate(t *testing.T) {
	s := Schedule{Kind: Constant, PeakLR: 0.1}
	for _, o := range []*SGD{{Schedule: s, Momentum: 1}, {Schedule: s, Momentum: -0.1}, {Schedule: s, WeightDecay: -1},
		{Schedule: s, ClipNorm: math.NaN()}, {Schedule: Schedule{Kind: Constant}}} {
		if o.Validate() == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	if err := (&SGD{Schedule: s, Momentum: 0.9}).Validate(); err != nil {
		t.Error(err)
	}
}

// TestMonitoredCheckpointLoads: a checkpoint of a run with SGD momentum and Monitor (whose update
// ratios include +Inf for the zero-initialised bias) passes CheckModelTensors; momentum of an
// unknown variable does not.
func TestMonitoredCheckpointLoads(t *testing.T) {
	store := model.NewStore()
	opt := &SGD{Schedule: Schedule{Kind: Constant, PeakLR: 0.01}, Momentum: 0.9, Monitor: true}
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	step, err := model.NewExec(be, store, func(scope *model.Scope, g *Graph) *Node {
		d := scope.In("dense")
		w := d.WithInitializer(initializer.RandomNormalFn(d, 0.5)).VariableWithShape("weight", shapes.Make(dtypes.Float32, 3, 1)).NodeValue(g)
		b := d.WithInitializer(initializer.Zero).VariableWithShape("bias", shapes.Make(dtypes.Float32, 1)).NodeValue(g)
		loss := Add(ReduceAllSum(Square(AddScalar(w, -1))), ReduceAllSum(Square(AddScalar(b, -2))))
		opt.UpdateGraph(scope, g, loss)
		return loss
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := step.Call(); err != nil {
		t.Fatal(err)
	}
	stats, err := ReadMonitor(store)
	if err != nil || len(stats) != 2 || !math.IsInf(stats[0].UpdateRatio, 1) {
		t.Fatalf("monitor %+v (%v): want the bias, which started at 0, with update ratio +Inf", stats, err)
	}
	dir := t.TempDir()
	if err := SaveCheckpoint(dir, store, nil); err != nil {
		t.Fatal(err)
	}
	ts, _, err := ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]shapes.Shape{"/dense/weight": shapes.Make(dtypes.Float32, 3, 1), "/dense/bias": shapes.Make(dtypes.Float32, 1)}
	if err := CheckModelTensors("ckpt", ts, want); err != nil {
		t.Fatalf("a monitored SGD checkpoint is refused: %v", err)
	}
	ts["/training/sgd/other/weight/momentum"] = tensors.FromValue([]float32{1})
	if err := CheckModelTensors("ckpt", ts, want); err == nil || !strings.Contains(err.Error(), "unexpected tensor") {
		t.Fatalf("momentum of an unknown variable: %v", err)
	}
}
