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
// Every size in the header is checked against the file's real bytes before anything is allocated:
// errors name the file and, where it applies, the tensor (unknown dtype, a shape whose size does
// not match its byte range or does not fit in the data at all, offsets out of order or past the
// end of a truncated file).
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
	if !info.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s is not a regular file", file)
	}
	return DecodeSafetensors(f, info.Size(), file)
}

// DecodeSafetensors reads a safetensors stream of size bytes from r (ReadSafetensors without the
// file); name is used in errors.
func DecodeSafetensors(r io.Reader, size int64, name string) (map[string]*tensors.Tensor, map[string]string, error) {
	file := name
	var n uint64
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, nil, fmt.Errorf("%s: reading the header length: %w (file of %d bytes)", file, err, size)
	}
	if n > maxHeaderBytes || int64(n)+8 > size {
		return nil, nil, fmt.Errorf("%s: header length %d does not fit in a file of %d bytes (truncated or not safetensors)", file, n, size)
	}
	header := make([]byte, n)
	if _, err := io.ReadFull(r, header); err != nil {
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
	dataSize := size - 8 - int64(n)
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
	sort.Slice(names, func(i, j int) bool {
		a, b := entries[names[i]].DataOffsets[0], entries[names[j]].DataOffsets[0]
		return a < b || (a == b && names[i] < names[j])
	})
	out := make(map[string]*tensors.Tensor, len(names))
	br := bufio.NewReaderSize(r, 1<<20)
	var pos int64
	for _, name := range names {
		e := entries[name]
		dt, ok := safetensorsDTypes[e.DType]
		if !ok {
			return nil, nil, fmt.Errorf("%s: tensor %q has unknown dtype %q", file, name, e.DType)
		}
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin < pos || end < begin {
			return nil, nil, fmt.Errorf("%s: tensor %q has data offsets [%d, %d] overlapping or out of order", file, name, begin, end)
		}
		if end > dataSize {
			return nil, nil, fmt.Errorf("%s: tensor %q needs bytes [%d, %d) but the data is %d bytes (truncated file?)", file, name, begin, end, dataSize)
		}
		// The size the shape implies, computed without overflow and bounded by the real data, before
		// anything is allocated: a shape such as [2^62+128] or [2^32, 2^32] must not wrap around to a
		// small (or zero) byte count.
		byteSize, err := shapeBytes(e.Shape, int64(dt.Size()), dataSize)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: tensor %q: %w", file, name, err)
		}
		if end-begin != byteSize {
			return nil, nil, fmt.Errorf("%s: tensor %q of dtype %s and shape %v needs %d bytes, header gives %d", file, name, e.DType, e.Shape, byteSize, end-begin)
		}
		if _, err := br.Discard(int(begin - pos)); err != nil {
			return nil, nil, fmt.Errorf("%s: tensor %q: %w", file, name, err)
		}
		t := tensors.FromShape(shapes.Make(dt, e.Shape...))
		var readErr error
		if err := t.MutableBytes(func(data []byte) { _, readErr = io.ReadFull(br, data) }); err != nil {
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

// maxRank bounds the number of dimensions of a tensor in a file (GoMLX and safetensors files in
// practice use far fewer).
const maxRank = 16

// shapeBytes returns the byte size of a tensor of shape dims and elemSize-byte elements, or an
// error if a dimension is negative, the rank exceeds maxRank, or the size exceeds limit (which
// also catches every int64 overflow: no intermediate product is allowed past limit).
func shapeBytes(dims []int, elemSize, limit int64) (int64, error) {
	if len(dims) > maxRank {
		return 0, fmt.Errorf("shape %v has %d dimensions, more than %d", dims, len(dims), maxRank)
	}
	for _, d := range dims {
		if d < 0 {
			return 0, fmt.Errorf("shape %v has a negative dimension", dims)
		}
		if d == 0 {
			return 0, nil
		}
	}
	size := elemSize
	for _, d := range dims {
		if int64(d) > limit/size {
			return 0, fmt.Errorf("shape %v needs more bytes than the %d bytes of data in the file", dims, limit)
		}
		size *= int64(d)
	}
	if size > limit {
		return 0, fmt.Errorf("shape %v needs %d bytes, more than the %d bytes of data in the file", dims, size, limit)
	}
	return size, nil
}

// WriteSafetensors writes the tensors (in the order of names; all of them, sorted, if names is
// nil) and metadata to file atomically: it writes a temporary file in the same directory, syncs
// it, and renames it over file, so a reader sees either the old file or the complete new one.
func WriteSafetensors(file string, ts map[string]*tensors.Tensor, names []string, meta map[string]string) error {
	header, names, err := safetensorsHeader(ts, names, meta)
	if err != nil {
		return err
	}
	return WriteFileAtomic(file, func(w io.Writer) error { return writeSafetensors(w, header, ts, names) })
}

// EncodeSafetensors writes the tensors and metadata to w in the safetensors format, as
// WriteSafetensors does to a file.
func EncodeSafetensors(w io.Writer, ts map[string]*tensors.Tensor, names []string, meta map[string]string) error {
	header, names, err := safetensorsHeader(ts, names, meta)
	if err != nil {
		return err
	}
	return writeSafetensors(w, header, ts, names)
}

// safetensorsHeader builds the padded JSON header for the tensors named (all, sorted, if names is nil).
func safetensorsHeader(ts map[string]*tensors.Tensor, names []string, meta map[string]string) ([]byte, []string, error) {
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
			return nil, nil, fmt.Errorf("WriteSafetensors: no tensor %q", name)
		}
		dt, ok := safetensorsName(t.DType())
		if !ok {
			return nil, nil, fmt.Errorf("WriteSafetensors: tensor %q has dtype %s, which safetensors cannot store", name, t.DType())
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
		return nil, nil, err
	}
	for len(hdr)%8 != 0 { // the format pads the header with spaces to 8-byte alignment
		hdr = append(hdr, ' ')
	}
	return hdr, names, nil
}

// writeSafetensors writes the header length, the header and the tensors' bytes.
func writeSafetensors(w io.Writer, hdr []byte, ts map[string]*tensors.Tensor, names []string) error {
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
}

// WriteFileAtomic creates file through write: the bytes go to a temporary file next to it, which
// is synced and renamed over file only if write and the sync succeed. On any error the temporary
// file is removed and an existing file is left untouched; temporaries of earlier writers that were
// killed are removed after a successful write (package internal/atomicfile, shared by every writer
// of the project).
func WriteFileAtomic(file string, write func(w io.Writer) error) error {
	return atomicfile.WriteBuffered(file, write)
}
