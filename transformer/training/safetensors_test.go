package training

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

// craftSafetensors returns a safetensors file with the given header entries and data bytes.
func craftSafetensors(header map[string]any, data []byte) []byte {
	hdr, _ := json.Marshal(header)
	for len(hdr)%8 != 0 {
		hdr = append(hdr, ' ')
	}
	var b bytes.Buffer
	_ = binary.Write(&b, binary.LittleEndian, uint64(len(hdr)))
	b.Write(hdr)
	b.Write(data)
	return b.Bytes()
}

// TestSafetensorsHostileShapes: shapes whose element count overflows, or that claim more bytes
// than the file holds, are errors naming the tensor, never a panic or a silently empty tensor.
func TestSafetensorsHostileShapes(t *testing.T) {
	dir := t.TempDir()
	entry := func(dtype string, shape []uint64, begin, end int) map[string]any {
		return map[string]any{"w": map[string]any{"dtype": dtype, "shape": shape, "data_offsets": []int{begin, end}}}
	}
	for _, c := range []struct {
		name   string
		header map[string]any
		data   int
		want   string
	}{
		// 2^62+128 float32 elements: 2^64+512 bytes wraps to 512 in 64-bit arithmetic.
		{"wraps to the data size", entry("F32", []uint64{1<<62 + 128}, 0, 512), 512, "needs more bytes than the 512 bytes"},
		// 2^32 × 2^32 = 2^64 elements wraps to 0: was accepted as an empty tensor.
		{"wraps to zero", entry("F32", []uint64{1 << 32, 1 << 32}, 0, 0), 0, "needs more bytes than the 0 bytes"},
		{"three-way overflow", entry("BOOL", []uint64{1 << 21, 1 << 21, 1 << 22}, 0, 8), 8, `"w"`},
		{"bigger than the file", entry("F64", []uint64{1000}, 0, 8), 8, "needs more bytes"},
		{"too many dimensions", entry("U8", make([]uint64, 17), 0, 0), 0, "17 dimensions"},
		{"dimension past int64", entry("F32", []uint64{1 << 63}, 0, 4), 4, "bad header entry"},
	} {
		file := filepath.Join(dir, "x.safetensors")
		if err := os.WriteFile(file, craftSafetensors(c.header, make([]byte, c.data)), 0o644); err != nil {
			t.Fatal(err)
		}
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", c.name, r)
				}
			}()
			_, _, err = ReadSafetensors(file)
		}()
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), `"w"`) {
			t.Errorf("%s: error %v, want one naming the tensor and saying %q", c.name, err, c.want)
		}
	}
	// Legitimate empty tensors still load.
	file := filepath.Join(dir, "empty.safetensors")
	os.WriteFile(file, craftSafetensors(entry("F32", []uint64{1 << 40, 0}, 0, 0), nil), 0o644)
	ts, _, err := ReadSafetensors(file)
	if err != nil || ts["w"].Size() != 0 {
		t.Errorf("empty [2^40, 0] tensor: %v", err)
	}
}

// FuzzReadSafetensors: any bytes give tensors or an error, never a panic; what loads fits in the
// input, and writing it back and reading it again gives the same tensors and metadata.
func FuzzReadSafetensors(f *testing.F) {
	var good bytes.Buffer
	_ = EncodeSafetensors(&good, map[string]*tensors.Tensor{
		"a": tensors.FromValue([][]float32{{1, 2}, {3, 4}}), "b": tensors.FromValue([]int64{5}), "c": tensors.FromValue(true),
	}, nil, map[string]string{"format": "pt"})
	f.Add(good.Bytes())
	f.Add(craftSafetensors(map[string]any{"w": map[string]any{"dtype": "F32", "shape": []uint64{1<<62 + 128}, "data_offsets": []int{0, 512}}}, make([]byte, 512)))
	f.Add(craftSafetensors(map[string]any{"w": map[string]any{"dtype": "BF16", "shape": []int{2}, "data_offsets": []int{0, 4}}, "__metadata__": map[string]string{"x": "y"}}, make([]byte, 4)))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, meta, err := DecodeSafetensors(bytes.NewReader(data), int64(len(data)), "fuzz")
		if err != nil {
			return
		}
		var total int64
		for name, x := range ts {
			n := x.Shape().ByteSize()
			if n < 0 || n > int64(len(data)) {
				t.Fatalf("tensor %q of %d bytes from %d bytes of input", name, n, len(data))
			}
			total += n
		}
		if total > int64(len(data)) {
			t.Fatalf("%d tensor bytes from %d bytes of input", total, len(data))
		}
		var again bytes.Buffer
		if err := EncodeSafetensors(&again, ts, nil, meta); err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		ts2, meta2, err := DecodeSafetensors(bytes.NewReader(again.Bytes()), int64(again.Len()), "again")
		if err != nil {
			t.Fatalf("reading back: %v", err)
		}
		if len(ts2) != len(ts) || len(meta2) != len(meta) {
			t.Fatalf("round trip: %d tensors %d metadata, then %d and %d", len(ts), len(meta), len(ts2), len(meta2))
		}
		for name, x := range ts {
			y := ts2[name]
			if y == nil || !x.Shape().Equal(y.Shape()) {
				t.Fatalf("tensor %q: %v then %v", name, x.Shape(), y)
			}
			var a, b []byte
			x.ConstBytes(func(d []byte) { a = append(a, d...) })
			y.ConstBytes(func(d []byte) { b = append(b, d...) })
			if !bytes.Equal(a, b) {
				t.Fatalf("tensor %q bytes differ after a round trip", name)
			}
		}
		for k, v := range meta {
			if meta2[k] != v {
				t.Fatalf("metadata %q: %q then %q", k, v, meta2[k])
			}
		}
	})
}
