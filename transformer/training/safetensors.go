package training

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/bert2gpt/bert2gpt/internal/atomicfile"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
)

// The safetensors format (Hugging Face), used for both checkpoints and model export:
//
//	[8 bytes little-endian uint64 N][N bytes JSON header][raw little-endian tensor bytes]
//	header = {"__metadata__": {string: string}, name: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, …}
//
// Offsets are relative to the first byte after the header.

var safetensorsDTypes = map[string]dtypes.DType{
	"F64": dtypes.Float64, "F32": dtypes.Float32, "F16": dtypes.Float16, "BF16": dtypes.BFloat16,
	"I64": dtypes.Int64, "I32": dtypes.Int32, "I16": dtypes.Int16, "I8": dtypes.Int8,
	"U64": dtypes.Uint64, "U32": dtypes.Uint32, "U16": dtypes.Uint16, "U8": dtypes.Uint8, "BOOL": dtypes.Bool,
}

func safetensorsName(dt dtypes.DType) (string, bool) {
	for name, d := range safetensorsDTypes {
		if d == dt {
			return name, true
		}
	}
	return "", false
}

type safetensorsEntry struct {
	DType       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// maxHeaderBytes bounds the JSON header (the format's own limit is 100 MB).
const maxHeaderBytes = 100 << 20

// ReadSafetensors reads every tensor of a .safetensors file, plus its "__metadata__" strings.
// Errors name the file and, where it applies, the tensor: unknown dtype, shape/length mismatch,
// offsets out of order or past the end of a truncated file.
func ReadSafetensors(file string) (map[string]*tensors.Tensor, map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	var n uint64
	if err := binary.Read(f, binary.LittleEndian, &n); err != nil {
		return nil, nil, fmt.Errorf("%s: reading the header length: %w (file of %d bytes)", file, err, info.Size())
	}
	if n > maxHeaderBytes || int64(n)+8 > info.Size() {
		return nil, nil, fmt.Errorf("%s: header length %d does not fit in a file of %d bytes (truncated or not safetensors)", file, n, info.Size())
	}
	header := make([]byte, n)
	if _, err := io.ReadFull(f, header); err != nil {
		return nil, nil, fmt.Errorf("%s: reading the header: %w", file, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(header, &raw); err != nil {
		return nil, nil, fmt.Errorf("%s: header is not JSON: %w", file, err)
	}
	meta := map[string]string{}
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, nil, fmt.Errorf("%s: __metadata__ must map strings to strings: %w", file, err)
		}
		delete(raw, "__metadata__")
	}
	dataSize := info.Size() - 8 - int64(n)
	names := make([]string, 0, len(raw))
	entries := map[string]safetensorsEntry{}
	for name, r := range raw {
		var e safetensorsEntry
		if err := json.Unmarshal(r, &e); err != nil {
			return nil, nil, fmt.Errorf("%s: tensor %q: bad header entry: %w", file, name, err)
		}
		entries[name] = e
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool { return entries[names[i]].DataOffsets[0] < entries[names[j]].DataOffsets[0] })
	out := make(map[string]*tensors.Tensor, len(names))
	r := bufio.NewReaderSize(f, 1<<20)
	var pos int64
	for _, name := range names {
		e := entries[name]
		dt, ok := safetensorsDTypes[e.DType]
		if !ok {
			return nil, nil, fmt.Errorf("%s: tensor %q has unknown dtype %q", file, name, e.DType)
		}
		for _, d := range e.Shape {
			if d < 0 {
				return nil, nil, fmt.Errorf("%s: tensor %q has a negative dimension in shape %v", file, name, e.Shape)
			}
		}
		shape := shapes.Make(dt, e.Shape...)
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin < pos || end < begin {
			return nil, nil, fmt.Errorf("%s: tensor %q has data offsets [%d, %d] overlapping or out of order", file, name, begin, end)
		}
		if end > dataSize {
			return nil, nil, fmt.Errorf("%s: tensor %q needs bytes [%d, %d) but the data is %d bytes (truncated file?)", file, name, begin, end, dataSize)
		}
		if end-begin != int64(shape.ByteSize()) {
			return nil, nil, fmt.Errorf("%s: tensor %q of shape %s needs %d bytes, header gives %d", file, name, shape, shape.ByteSize(), end-begin)
		}
		if _, err := r.Discard(int(begin - pos)); err != nil {
			return nil, nil, fmt.Errorf("%s: tensor %q: %w", file, name, err)
		}
		t := tensors.FromShape(shape)
		var readErr error
		if err := t.MutableBytes(func(data []byte) { _, readErr = io.ReadFull(r, data) }); err != nil {
			return nil, nil, fmt.Errorf("%s: tensor %q: %w", file, name, err)
		}
		if readErr != nil {
			return nil, nil, fmt.Errorf("%s: tensor %q: reading %d bytes: %w", file, name, end-begin, readErr)
		}
		pos = end
		out[name] = t
	}
	return out, meta, nil
}

// WriteSafetensors writes the tensors (in the order of names; all of them, sorted, if names is
// nil) and metadata to file atomically: it writes a temporary file in the same directory, syncs
// it, and renames it over file, so a reader sees either the old file or the complete new one.
func WriteSafetensors(file string, ts map[string]*tensors.Tensor, names []string, meta map[string]string) error {
	if names == nil {
		for name := range ts {
			names = append(names, name)
		}
		sort.Strings(names)
	}
	header := map[string]any{}
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	var offset int64
	for _, name := range names {
		t, ok := ts[name]
		if !ok || t == nil {
			return fmt.Errorf("WriteSafetensors: no tensor %q", name)
		}
		dt, ok := safetensorsName(t.DType())
		if !ok {
			return fmt.Errorf("WriteSafetensors: tensor %q has dtype %s, which safetensors cannot store", name, t.DType())
		}
		size := int64(t.Shape().ByteSize())
		dims := t.Shape().Dimensions
		if dims == nil {
			dims = []int{}
		}
		header[name] = safetensorsEntry{DType: dt, Shape: dims, DataOffsets: [2]int64{offset, offset + size}}
		offset += size
	}
	hdr, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(hdr)%8 != 0 { // the format pads the header with spaces to 8-byte alignment
		hdr = append(hdr, ' ')
	}
	return WriteFileAtomic(file, func(w io.Writer) error {
		if err := binary.Write(w, binary.LittleEndian, uint64(len(hdr))); err != nil {
			return err
		}
		if _, err := w.Write(hdr); err != nil {
			return err
		}
		for _, name := range names {
			var werr error
			if err := ts[name].ConstBytes(func(data []byte) { _, werr = w.Write(data) }); err != nil {
				return fmt.Errorf("tensor %q: %w", name, err)
			}
			if werr != nil {
				return fmt.Errorf("tensor %q: %w", name, werr)
			}
		}
		return nil
	})
}

// WriteFileAtomic creates file through write: the bytes go to a temporary file next to it, which
// is synced and renamed over file only if write and the sync succeed. On any error the temporary
// file is removed and an existing file is left untouched; temporaries of earlier writers that were
// killed are removed after a successful write (package internal/atomicfile, shared by every writer
// of the project).
func WriteFileAtomic(file string, write func(w io.Writer) error) error {
	return atomicfile.WriteBuffered(file, write)
}
