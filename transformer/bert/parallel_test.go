package bert

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

// TestPretrainDataParallel: BERT pre-training (MLM + NSP) on 2 and 4 devices gives, at each of 20
// steps, the loss of one device with the same global batch (within 1e-5), the same final weights
// and the same validation metrics; bad device counts are errors.
func TestPretrainDataParallel(t *testing.T) {
	b := testBackend(t)
	o := toyOptions("")
	o.Devices = 3 // batch 8
	if _, _, err := Pretrain(b, o); err == nil || !strings.Contains(err.Error(), "batch 8 is not divisible by 3 devices") {
		t.Errorf("batch 8 on 3 devices: %v", err)
	}
	o.Devices = -2
	if _, _, err := Pretrain(b, o); err == nil || !strings.Contains(err.Error(), "Devices -2") {
		t.Errorf("-2 devices: %v", err)
	}
	if b.NumDevices() < 2 {
		o.Devices = 2
		if _, _, err := Pretrain(b, o); err == nil || !strings.Contains(err.Error(), "has 1") {
			t.Errorf("2 devices on %s: %v", b.String(), err)
		}
		t.Skipf("backend %q has one device: data-parallel pre-training not run", b.String())
	}
	run := func(devices int) (map[int64]float64, *Model, PretrainMetrics) {
		o := toyOptions("")
		o.Model.HiddenDropoutProb, o.Model.AttentionProbsDropoutProb = 0, 0 // no random masks inside the step
		o.Steps, o.WarmupSteps, o.Devices = 20, 2, devices
		losses := map[int64]float64{}
		o.OnStep = func(step int64, loss float64) { losses[step] = loss }
		m, metrics, err := Pretrain(b, o)
		if err != nil {
			t.Fatal(err)
		}
		return losses, m, metrics
	}
	want, one, wantM := run(1)
	o = toyOptions("")
	for _, n := range []int{2, 4} {
		if n > b.NumDevices() {
			continue
		}
		got, m, gotM := run(n)
		worst := 0.0
		for step, l := range want {
			worst = max(worst, math.Abs(got[step]-l))
		}
		worstW, worstName, worstIdx, worstA, worstB, worstKey := 0.0, "", 0, float32(0), float32(0), 0.0
		for v := range one.Store.IterVariables() {
			// The key bias gets a zero gradient in exact arithmetic (adding q·b_k to every score of a
			// row leaves the softmax unchanged), so AdamW moves it by normalised rounding noise in any
			// run: it is compared on its own, with a bound of lr·steps.
			if v.Trainable {
				w := m.Store.GetVariable(v.Path())
				if w == nil {
					t.Fatalf("%d devices: no variable %s", n, v.Path())
				}
				a := tensors.MustCopyFlatData[float32](v.MustValue())
				c := tensors.MustCopyFlatData[float32](w.MustValue())
				for i := range a {
					d := math.Abs(float64(a[i] - c[i]))
					if strings.HasSuffix(v.Path(), "/key/bias") {
						worstKey = max(worstKey, d)
						continue
					}
					if d > worstW {
						worstW, worstName = d, v.Path()
						worstIdx, worstA, worstB = i, a[i], c[i]
					}
				}
			}
		}
		t.Logf("%d devices vs 1: max |Δloss| over %d steps %.3g (step 1 %.5f, step 20 %.5f); max |Δweight| %.3g (%s[%d]: %g vs %g), key biases %.3g; val MLM %.6f vs %.6f",
			n, len(want), worst, want[1], want[20], worstW, worstName, worstIdx, worstB, worstA, worstKey, gotM.MLMLoss, wantM.MLMLoss)
		if len(got) != 20 || worst > 1e-5 || worstW > 1e-5 || worstKey > 20*o.LR || math.Abs(gotM.MLMLoss-wantM.MLMLoss) > 1e-5 {
			t.Errorf("%d devices differ from one device: %d steps, Δloss %g, Δweight %g", n, len(got), worst, worstW)
		}
	}
}
