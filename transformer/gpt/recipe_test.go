package gpt

import (
	"reflect"
	"testing"
)

func TestRecipeGoesWithItsPreset(t *testing.T) {
	fast, base := Recipe("nanogpt-cpu-fast"), Recipe("nanogpt-cpu")
	if !reflect.DeepEqual(fast, FastCPU()) || !reflect.DeepEqual(base, NanoGPTCPU()) || !reflect.DeepEqual(Recipe("gpt2"), NanoGPTCPU()) {
		t.Fatalf("Recipe: nanogpt-cpu-fast → %+v, nanogpt-cpu → %+v", fast, base)
	}
	if err := fast.Validate(); err != nil {
		t.Fatal(err)
	}
	if fast.LR <= base.LR || fast.Iters <= base.Iters || fast.Batch != base.Batch || fast.EvalEvery != 0 {
		t.Errorf("FastCPU %+v is not NanoGPTCPU with a higher peak learning rate, more steps and one final evaluation", fast)
	}
	m1, err := Preset("nanogpt-cpu-fast")
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := Preset("nanogpt-cpu")
	if m1 != m2 {
		t.Errorf("nanogpt-cpu-fast's model %+v differs from nanogpt-cpu's %+v (only the recipe should)", m1, m2)
	}
}
