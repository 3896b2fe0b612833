package training

import (
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

func TestHalfToFloat32(t *testing.T) {
	for _, tc := range []struct {
		h    uint16
		want float32
	}{{0x3C00, 1}, {0xC000, -2}, {0x7BFF, 65504}, {0x0001, 1.0 / (1 << 24)}, {0x3555, 0.333251953125}, {0x8000, 0}} {
		if got := HalfToFloat32(tc.h); got != tc.want {
			t.Errorf("HalfToFloat32(%#04x) = %g, want %g", tc.h, got, tc.want)
		}
	}
}

func TestFloat32Values(t *testing.T) {
	got, err := Float32Values(tensors.FromValue([]float64{1.5, -2}))
	if err != nil || got[0] != 1.5 || got[1] != -2 {
		t.Errorf("float64: got %v, %v", got, err)
	}
	if _, err := Float32Values(tensors.FromValue([]int32{1})); err == nil {
		t.Error("int32 must be an error")
	}
}
