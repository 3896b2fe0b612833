package bert

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
)

// A safetensors file is an 8-byte little-endian header length N, N bytes of JSON
//
//	{"<name>": {"dtype": "F32", "shape": [d0, d1, …], "data_offsets": [begin, end]}, …,
//	 "__metadata__": {string: string}}
//
// and the raw little-endian tensor bytes; offsets are relative to the end of the header.

// safeTensor is one entry of a safetensors file: its name, dtype, shape and raw bytes.
type safeTensor struct {
	Name  string
	DType string
	Shape []int
	Data  []byte
}

// dtypeSizes are the element sizes of the safetensors dtypes this package reads.
var dtypeSizes = map[string]int{"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}

// readSafetensors reads and checks every entry of a safetensors file: a known dtype, offsets
// inside the file, and a byte length that matches the shape. Errors name the file and tensor.
func readSafetensors(path string) (map[string]*safeTensor, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(raw) < 8 {
		return nil, fmt.Errorf("%s: truncated safetensors file (%d bytes, no header length)", path, len(raw))
	}
	n := binary.LittleEndian.Uint64(raw[:8])
	if n > uint64(len(raw)-8) {
		return nil, fmt.Errorf("%s: truncated safetensors file: header of %d bytes but only %d bytes follow", path, n, len(raw)-8)
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &header); err != nil {
		return nil, fmt.Errorf("%s: bad safetensors header: %w", path, err)
	}
	data := raw[8+n:]
	out := map[string]*safeTensor{}
	for name, msg := range header {
		if name == "__metadata__" {
			continue
		}
		var e struct {
			DType   string   `json:"dtype"`
			Shape   []int    `json:"shape"`
			Offsets []uint64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("%s: tensor %q: bad header entry: %w", path, name, err)
		}
		size, ok := dtypeSizes[e.DType]
		if !ok {
			return nil, fmt.Errorf("%s: tensor %q has unknown dtype %q", path, name, e.DType)
		}
		if len(e.Offsets) != 2 || e.Offsets[0] > e.Offsets[1] {
			return nil, fmt.Errorf("%s: tensor %q has bad data_offsets %v", path, name, e.Offsets)
		}
		if e.Offsets[1] > uint64(len(data)) {
			return nil, fmt.Errorf("%s: tensor %q: data ends at byte %d but the file has only %d data bytes (truncated file?)", path, name, e.Offsets[1], len(data))
		}
		count := 1
		for _, d := range e.Shape {
			if d < 0 {
				return nil, fmt.Errorf("%s: tensor %q has negative dimension in shape %v", path, name, e.Shape)
			}
			count *= d
		}
		if uint64(count*size) != e.Offsets[1]-e.Offsets[0] {
			return nil, fmt.Errorf("%s: tensor %q: shape %v of %s needs %d bytes, data_offsets give %d", path, name, e.Shape, e.DType, count*size, e.Offsets[1]-e.Offsets[0])
		}
		out[name] = &safeTensor{Name: name, DType: e.DType, Shape: e.Shape, Data: data[e.Offsets[0]:e.Offsets[1]]}
	}
	return out, nil
}

// Float32 converts the tensor's values to float32 (from F32, F64, F16 or BF16).
func (t *safeTensor) Float32() ([]float32, error) {
	switch t.DType {
	case "F32":
		out := make([]float32, len(t.Data)/4)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
		}
		return out, nil
	case "F64":
		out := make([]float32, len(t.Data)/8)
		for i := range out {
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(t.Data[8*i:])))
		}
		return out, nil
	case "BF16":
		out := make([]float32, len(t.Data)/2)
		for i := range out {
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(t.Data[2*i:])) << 16)
		}
		return out, nil
	case "F16":
		out := make([]float32, len(t.Data)/2)
		for i := range out {
			out[i] = halfToFloat32(binary.LittleEndian.Uint16(t.Data[2*i:]))
		}
		return out, nil
	}
	return nil, fmt.Errorf("tensor %q has dtype %s, want a floating-point dtype (F32, F64, F16, BF16)", t.Name, t.DType)
}

// halfToFloat32 converts an IEEE 754 half-precision value.
func halfToFloat32(h uint16) float32 {
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
