package training

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
)

// Float32Values returns a floating-point tensor's values, flattened, as float32 — how checkpoints
// stored in float64, float16 or bfloat16 (common on the Hugging Face hub) are loaded into float32
// models. Other dtypes are an error.
//
//	bfloat16: the high 16 bits of a float32 (8-bit exponent, 7-bit fraction), so widening is a shift.
//	float16:  IEEE half precision (5-bit exponent, 10-bit fraction), see HalfToFloat32.
func Float32Values(t *tensors.Tensor) ([]float32, error) {
	switch t.DType() {
	case dtypes.Float32:
		return tensors.CopyFlatData[float32](t)
	case dtypes.Float64:
		v, err := tensors.CopyFlatData[float64](t)
		if err != nil {
			return nil, err
		}
		out := make([]float32, len(v))
		for i, x := range v {
			out[i] = float32(x)
		}
		return out, nil
	case dtypes.Float16, dtypes.BFloat16:
		out := make([]float32, t.Size())
		bf16 := t.DType() == dtypes.BFloat16
		err := t.ConstBytes(func(data []byte) {
			for i := range out {
				h := binary.LittleEndian.Uint16(data[2*i:])
				if bf16 {
					out[i] = math.Float32frombits(uint32(h) << 16)
				} else {
					out[i] = HalfToFloat32(h)
				}
			}
		})
		return out, err
	}
	return nil, fmt.Errorf("dtype %s is not a floating-point type (want float32, float64, float16 or bfloat16)", t.DType())
}

// HalfToFloat32 converts an IEEE 754 half-precision value (sign, 5-bit exponent biased by 15,
// 10-bit fraction) to float32.
func HalfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf / NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: value = frac · 2⁻²⁴
		v := float32(frac) / (1 << 24)
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}
