// Package weights keeps a model's weights graph parameters on every GoMLX backend (AsParameters).
// It is a leaf package so that package backend, which wraps the backend it opens, and the models in
// package transformer and below, which wrap the backend they are given, can both use it.
package weights

import (
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
)

// AsParameters returns a backend that computes exactly like b but never lets GoMLX embed a model's
// weights into a compiled graph as constants: every weight is read as a graph parameter, on every call.
//
// Why: compute's pure-Go backend (v0.1.14) sets Capabilities.PreferConstantsForVariables, and GoMLX's
// model.Exec then copies the current value of each variable into every graph that is not marked as
// training, once, when that graph is first compiled. An executor cached before training (Loss, the
// trainer's evaluation, the KV-cache generation steps, BERT's evaluator, seq2seq decoding) would keep
// computing with the untrained weights, and a gradient taken by hand with respect to a weight would
// be zero. Measured before the fix: after 60 training steps the cached Loss still said 3.93 where a
// freshly built executor said 0.845.
//
// The wrapper forwards everything to b except Capabilities (PreferConstantsForVariables off). GoMLX
// ties every tensor to the backend value its buffer reports, so the wrapper also wraps the buffers it
// hands out, and unwraps them on the way back in: a tensor made on the wrapper stays on the wrapper.
//
// Package backend returns a wrapped backend, and the models of this library (gpt.New, bert.New,
// transformer.NewSeq2Seq and the loaders) wrap the backend they are given; the same b always gets the
// same wrapper. Use a model's Backend field for your own executors over its Store: tensors cannot
// move between b and its wrapper (GoMLX says so with an error). A backend that does not prefer
// constants (XLA), or one that is already wrapped, is returned as it is.
func AsParameters(b compute.Backend) compute.Backend {
	if b == nil || !b.Capabilities().PreferConstantsForVariables {
		return b
	}
	if w, ok := wrappers.Load(b); ok {
		return w.(compute.Backend)
	}
	caps := b.Capabilities().Clone()
	caps.PreferConstantsForVariables = false
	w, _ := wrappers.LoadOrStore(b, &backend{Backend: b, caps: caps})
	return w.(compute.Backend)
}

// Unwrap returns the backend an AsParameters wrapper forwards to, or b itself.
func Unwrap(b compute.Backend) compute.Backend {
	if w, ok := b.(*backend); ok {
		return w.Backend
	}
	return b
}

// wrappers maps each backend that prefers constants to its one wrapper.
var wrappers sync.Map

// backend forwards to the wrapped compute.Backend; it changes Capabilities and wraps buffers.
type backend struct {
	compute.Backend
	caps compute.Capabilities
}

func (w *backend) Capabilities() compute.Capabilities { return w.caps }

func (w *backend) Builder(name string) compute.Builder {
	return &builder{Builder: w.Backend.Builder(name), w: w}
}

func (w *backend) BufferFromFlatData(deviceNum compute.DeviceNum, flat any, shape shapes.Shape) (compute.Buffer, error) {
	b, err := w.Backend.BufferFromFlatData(deviceNum, flat, shape)
	return w.wrap(b), err
}

func (w *backend) NewSharedBuffer(deviceNum compute.DeviceNum, shape shapes.Shape) (compute.Buffer, any, error) {
	b, flat, err := w.Backend.NewSharedBuffer(deviceNum, shape)
	return w.wrap(b), flat, err
}

func (w *backend) wrap(b compute.Buffer) compute.Buffer {
	if b == nil {
		return nil
	}
	return &buffer{Buffer: b, w: w}
}

// builder compiles with the wrapped backend's builder and wraps the executable.
type builder struct {
	compute.Builder
	w *backend
}

func (b *builder) Compile() (compute.Executable, error) {
	e, err := b.Builder.Compile()
	if err != nil {
		return nil, err
	}
	return &executable{Executable: e, w: b.w}, nil
}

// executable unwraps its input buffers and wraps its outputs.
type executable struct {
	compute.Executable
	w *backend
}

func (e *executable) Execute(inputs []compute.Buffer, donate []bool, defaultDevice compute.DeviceNum) ([]compute.Buffer, error) {
	inner := make([]compute.Buffer, len(inputs))
	for i, in := range inputs {
		if wb, ok := in.(*buffer); ok {
			in = wb.Buffer
		}
		inner[i] = in
	}
	outs, err := e.Executable.Execute(inner, donate, defaultDevice)
	for i, out := range outs {
		outs[i] = e.w.wrap(out)
	}
	return outs, err
}

// buffer is a buffer of the wrapped backend that reports the wrapper as its backend.
type buffer struct {
	compute.Buffer
	w *backend
}

func (b *buffer) Backend() compute.Backend { return b.w }

func (b *buffer) CopyToDevice(deviceNum compute.DeviceNum) (compute.Buffer, error) {
	c, err := b.Buffer.CopyToDevice(deviceNum)
	return b.w.wrap(c), err
}
