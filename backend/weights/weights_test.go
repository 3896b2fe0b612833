package weights_test

import (
	"testing"

	"github.com/bert2gpt/bert2gpt/backend/weights"
	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // registers "go"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

func rawGo(t *testing.T) compute.Backend {
	t.Helper()
	b, err := compute.NewWithConfig("go:parallelism=-1")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The Go backend prefers constants; its wrapper does not, is the same value every time, and
// wrapping a wrapper or a backend without the preference changes nothing.
func TestAsParametersWrapsOnlyWhatPrefersConstants(t *testing.T) {
	raw := rawGo(t)
	if !raw.Capabilities().PreferConstantsForVariables {
		t.Skip("this compute version's Go backend no longer prefers constants: AsParameters is a no-op (drop it?)")
	}
	w := weights.AsParameters(raw)
	if w == raw || w.Capabilities().PreferConstantsForVariables {
		t.Fatalf("AsParameters(go) = %v, prefers constants %v", w, w.Capabilities().PreferConstantsForVariables)
	}
	if weights.AsParameters(raw) != w || weights.AsParameters(w) != w || weights.Unwrap(w) != raw {
		t.Error("wrapping is not idempotent / Unwrap does not return the original")
	}
	if len(w.Capabilities().Operations) != len(raw.Capabilities().Operations) || w.Name() != raw.Name() {
		t.Error("the wrapper changed more than PreferConstantsForVariables")
	}
	if weights.AsParameters(nil) != nil {
		t.Error("AsParameters(nil) != nil")
	}
}

// A variable read by a cached executor on the wrapper is a graph parameter: after SetValue the
// executor computes with the new value, and its outputs are tensors of the wrapper.
func TestAsParametersExecutorSeesNewValues(t *testing.T) {
	for name, b := range map[string]compute.Backend{"raw": rawGo(t), "wrapped": weights.AsParameters(rawGo(t))} {
		store := model.NewStore()
		v, err := store.CreateVariable("/w", tensors.FromValue([]float32{1, 2}))
		if err != nil {
			t.Fatal(err)
		}
		e, err := model.NewExec(b, store, func(scope *model.Scope, x *Node) *Node {
			return Mul(x, scope.GetVariable("w").NodeValue(x.Graph()))
		})
		if err != nil {
			t.Fatal(err)
		}
		x := []float32{10, 10}
		first := e.MustCall1(x)
		if tb, err := first.Backend(); err != nil || tb != b {
			t.Errorf("%s: output tensor belongs to %v (%v), want the executor's backend", name, tb, err)
		}
		v.MustSetValue(tensors.FromValue([]float32{3, 4}))
		got := tensors.MustCopyFlatData[float32](e.MustCall1(x))
		stale := got[0] == 10 && got[1] == 20
		switch {
		case name == "wrapped" && (got[0] != 30 || got[1] != 40):
			t.Errorf("wrapped backend: %v after SetValue, want [30 40]", got)
		case name == "raw" && !stale:
			t.Logf("the raw Go backend no longer embeds weights as constants (got %v): AsParameters may be unneeded", got)
		}
	}
}
